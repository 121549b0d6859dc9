package daemon

import (
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
)

func Shell(argv []string, err error) string {
	if err != nil {
		return "false # " + err.Error()
	}
	var words []string
	for _, a := range argv {
		if a != "-f" {
			words = append(words, fsop.Quote(a))
		}
	}
	return strings.Join(words, " ")
}
