package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/sandbox"
)

// registerIdmap defines --idmap, the idmapped-layers dimension of a run.
func registerIdmap(fs *flag.FlagSet, into *string) {
	// Only the argument's name goes between backquotes: the flag package
	// prints what they hold as the name, beside the flag.
	fs.StringVar(into, "idmap", "", "attach layers as idmapped mounts: `LAYERS[:MAP]`"+strings.TrimPrefix(idmap.Usage, "LAYERS[:MAP]"))
}

// parseIdmap reads --idmap; "" is none. Its error is a one-line usage
// error (exit 2).
func parseIdmap(s string) (*idmap.Spec, error) {
	if s == "" {
		return nil, nil
	}
	spec, err := idmap.Parse(s)
	if err != nil {
		return nil, &harness.UsageError{Msg: err.Error()}
	}
	return &spec, nil
}

// rootlessIdmap widens the rootless namespace so that it holds the
// mapping's host ids: there the harness's own namespace is the "host".
func rootlessIdmap(spec *idmap.Spec) {
	if spec != nil && int(spec.Mapping.HostEnd()) > sandbox.RootlessIDs {
		sandbox.RootlessIDs = int(spec.Mapping.HostEnd())
	}
}

// idmapTarget is the mapping of a run as its target line and JSON give it,
// "lowers 0:100000:65536" ("" without --idmap).
func idmapTarget(cfg harness.Config) string {
	if cfg.Idmap == nil {
		return ""
	}
	t := string(cfg.IdmapLayers) + " " + cfg.Idmap.Mapping().String()
	if cfg.IdmapByBackend() {
		t += " (by " + cfg.Backend.Name() + "'s own mapping options)"
	}
	return t
}

// withIdmap records spec, the mapping a fuzz run used, in its scenario
// files' dimensions, so that replay attaches the layers the same way.
func withIdmap(d dims, spec *idmap.Spec) dims {
	if spec != nil {
		d.Idmap = spec.String()
	}
	return d
}

// printIdmapNote counts, under --idmap, the mapping's own scenarios (the
// idmap suite) in the closing note, with what their failures are: the
// known issues, or "untagged" for a failure that is none.
func printIdmapNote(w io.Writer, r *report) {
	if r.Target.Idmap == "" {
		return
	}
	verdicts := map[harness.Verdict]int{}
	issues := map[string]int{}
	n := 0
	for _, res := range r.Scenarios {
		if res.Suite != "idmap" {
			continue
		}
		n++
		verdicts[res.Verdict]++
		if res.Verdict != harness.Fail {
			continue
		}
		seen := map[string]bool{}
		for _, f := range res.Findings {
			id := f.KnownIssue
			if f.Standing || f.ExpectedBy != "" {
				continue
			}
			if id == "" {
				id = "untagged"
			}
			if !seen[id] {
				seen[id] = true
				issues[id]++
			}
		}
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "The mapping's own scenarios (suite idmap): %d: %d pass, %d fail, %d xfail, %d skip, %d error",
		n, verdicts[harness.Pass], verdicts[harness.Fail], verdicts[harness.XFail], verdicts[harness.Skip], verdicts[harness.Error])
	var ids []string
	for id, k := range issues {
		ids = append(ids, fmt.Sprintf("%s (%d)", id, k))
	}
	sort.Strings(ids)
	if len(ids) > 0 {
		fmt.Fprintf(w, "; failing with %s", strings.Join(ids, ", "))
	}
	fmt.Fprintln(w)
}
