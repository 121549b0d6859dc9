package suites

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/layercheck/layercheck/harness/errs"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Selection says which scenario instances a run takes; the zero value
// takes every one. It is the one selection of every front end (the
// command's run, matrix and bench, TestBackend, the specs).
type Selection struct {
	// Suites names the suites, in the order they run (all, in Names'
	// order, if empty).
	Suites []string
	// Focus keeps the instances whose full name or labels the regular
	// expression matches.
	Focus string
	// Only, if not nil, keeps the instances it names (--rerun-failed).
	Only map[string]bool
	// Shard, if not nil, keeps the instances it takes (--shard K/N).
	Shard func(name string) bool
}

// Select expands the selected suites' scenarios at depth and returns the
// instances the selection takes, and how many it took before the shard.
// An unknown suite or a bad focus is an *errs.UsageError naming the
// setting ("suite", "focus").
func (sel Selection) Select(depth int) (out []scenario.Scenario, selected int, err error) {
	all, names := All(), Names()
	if len(sel.Suites) > 0 {
		names = nil
		for _, n := range sel.Suites {
			n = strings.TrimSpace(n)
			if _, ok := all[n]; !ok {
				return nil, 0, &errs.UsageError{Setting: "suite", Msg: fmt.Sprintf("unknown suite %q (known: %s)", n, strings.Join(Names(), ", "))}
			}
			names = append(names, n)
		}
	}
	focus, err := regexp.Compile(sel.Focus)
	if err != nil {
		return nil, 0, &errs.UsageError{Setting: "focus", Msg: err.Error()}
	}
	for _, n := range names {
		for _, s := range all[n] {
			for _, inst := range scenario.Expand(s, depth) {
				if !focus.MatchString(inst.FullName()) && !focus.MatchString(strings.Join(inst.Labels, " ")) {
					continue
				}
				if sel.Only != nil && !sel.Only[inst.FullName()] {
					continue
				}
				selected++
				if sel.Shard == nil || sel.Shard(inst.FullName()) {
					out = append(out, inst)
				}
			}
		}
	}
	return out, selected, nil
}
