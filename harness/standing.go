package harness

import (
	"context"
	"path"
	"strings"

	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// StandingSuite is the suite name of the null scenarios: a target's
// standing entry is "standing/<fixture>".
const StandingSuite = "standing"

// Standing runs the null scenario of a target: the fixture's stack built
// and mounted the way cfg builds and mounts every scenario, no op
// anywhere, checked in every phase. Its findings are the target's standing
// deviations (a root listing without "..", a fixture's names the backend
// reads as its own metadata): every scenario would show them whatever its
// ops, so they say nothing about the ops. Its verdict is an ordinary one:
// unexpected standing findings are real and fail.
func Standing(ctx context.Context, cfg Config, fixture string) Result {
	cfg.Standing = nil
	return RunScenario(ctx, cfg, scenario.Scenario{
		Name: fixture, Suite: StandingSuite, Fixture: fixture,
		Doc: "the stack with no op: what every scenario shows whatever its ops",
	})
}

// markStanding marks the findings of s that its fixture's null scenario
// shows too: same kind, path, field and both values, on a path that no op
// of s names or lies under (a path an op touched is the op's business,
// whatever the stack did before).
func markStanding(fs []snapshot.Finding, standing []snapshot.Finding, s scenario.Scenario) {
	if len(standing) == 0 {
		return
	}
	type key struct{ kind, path, field, ref, merged string }
	known := map[key]bool{}
	for _, f := range standing {
		known[key{string(f.Kind), f.Path, f.Field, f.Reference, f.Merged}] = true
	}
	named := opPaths(s)
	for i, f := range fs {
		if known[key{string(f.Kind), f.Path, f.Field, f.Reference, f.Merged}] && !under(f.Path, named) {
			fs[i].Standing = true
		}
	}
}

// opPaths lists the paths the ops of s name, cleaned.
func opPaths(s scenario.Scenario) []string {
	var out []string
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			for _, p := range op.Paths() {
				out = append(out, path.Clean(p))
			}
		}
	}
	return out
}

// under reports whether p is one of the paths or lies beneath one.
func under(p string, paths []string) bool {
	p = path.Clean(p)
	for _, q := range paths {
		if p == q || q == "." || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}
