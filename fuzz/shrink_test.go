package fuzz

import (
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// TestShrinkFindsTheOneOp: a failure that needs only one chmod of one path,
// buried in layers of noise, shrinks to that op alone, simplified, in the
// lowest layer that still fails.
func TestShrinkFindsTheOneOp(t *testing.T) {
	user := fsop.By{As: fsop.Identity{Name: "u", UID: 1000, GID: 1000}}
	s := scenario.Scenario{Name: "n", Suite: "fuzz", Steps: []scenario.Step{
		scenario.AtLayer(2, fsop.WriteFile{Path: "a", Data: "noise", Mode: 0o600}, fsop.Chmod{Path: "b", Mode: 0o700}),
		scenario.AtLayer(4, fsop.Mkdir{Path: "d", Mode: 0o700}, fsop.Chmod{Path: "target", Mode: 0o4750, By: user}, fsop.Remove{Path: "a"}),
		scenario.Runtime(fsop.Append{Path: "b", Data: "more"}, fsop.Rename{From: "b", To: "c"}),
	}}
	// The "bug": a chmod of target in a built layer.
	fails := func(c Candidate) bool {
		for _, st := range c.Scenario.Steps {
			for _, op := range st.Ops {
				if ch, ok := op.(fsop.Chmod); ok && ch.Path == "target" && st.Phase == scenario.PhaseLayer {
					return true
				}
			}
		}
		return false
	}
	got, runs := Shrink(Candidate{Scenario: s, Depth: 5}, fails, 500)
	if !fails(got) {
		t.Fatal("the shrunk scenario no longer fails")
	}
	n := 0
	for _, st := range got.Scenario.Steps {
		n += len(st.Ops)
	}
	if n != 1 || len(got.Scenario.Steps) != 1 {
		t.Fatalf("shrunk to %d ops in %d steps: %+v", n, len(got.Scenario.Steps), got.Scenario.Steps)
	}
	st := got.Scenario.Steps[0]
	ch := st.Ops[0].(fsop.Chmod)
	if st.Layer != 1 || got.Depth != 2 || !ch.As.IsRoot() || ch.Mode != 0o755 {
		t.Fatalf("not minimal: layer %d depth %d op %+v", st.Layer, got.Depth, ch)
	}
	if runs >= 500 {
		t.Fatalf("used the whole budget (%d runs)", runs)
	}
}

// TestShrinkKeepsBudget: a predicate that never holds costs at most the budget.
func TestShrinkKeepsBudget(t *testing.T) {
	s := scenario.Scenario{Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: "a"}, fsop.Chmod{Path: "b"})}}
	_, runs := Shrink(Candidate{Scenario: s, Depth: 1}, func(Candidate) bool { return false }, 3)
	if runs > 3 {
		t.Fatalf("%d runs for a budget of 3", runs)
	}
}

// TestGeneratorIsDeterministic: the same seed and index give the same
// scenario, another index another one.
func TestGeneratorIsDeterministic(t *testing.T) {
	g := &Generator{Seed: 7, Depth: 5, Fixture: "mini", Base: map[string]string{".": "dir", "etc": "dir", "etc/passwd": "file", "lnk": "symlink"},
		Identities: []fsop.Identity{fsop.Root, {Name: "u", UID: 1000, GID: 1000}}}
	a, _ := g.Scenario(3)
	b, _ := g.Scenario(3)
	c, _ := g.Scenario(4)
	if shell(a) != shell(b) {
		t.Fatal("same seed and index, different scenarios")
	}
	if shell(a) == shell(c) {
		t.Fatal("different indexes, same scenario")
	}
}

func shell(s scenario.Scenario) string {
	out := ""
	for _, st := range s.Steps {
		out += st.Phase.String()
		for _, op := range st.Ops {
			out += "|" + op.Shell()
		}
	}
	return out
}
