package main

import (
	"strings"

	"github.com/layercheck/layercheck/harness/scenario"
)

// omittedNotes says in one line what the layout's bases left out
// (scenario.Base.OmittedNote), "" when nothing was.
func omittedNotes(bases map[string]*scenario.Base) string {
	var out []string
	for _, name := range sortedKeys(bases) {
		if note := bases[name].OmittedNote(); note != "" {
			out = append(out, "fixture "+name+" without "+note)
		}
	}
	return strings.Join(out, "; ")
}
