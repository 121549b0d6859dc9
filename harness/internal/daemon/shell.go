package daemon

import (
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
)

// Shell is a FUSE adapter's command line as a reproducer script runs it:
// the same words without -f, so that the daemon detaches once the mount is
// live and the script goes on (fusermount3 -u takes it down, and the
// daemon exits). err is the adapter's error building argv, if any.
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
