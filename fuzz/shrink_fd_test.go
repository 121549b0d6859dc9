package fuzz

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// TestShrinkKeepsOpenWithItsOps: a failure that needs a read through a
// descriptor shrinks to the Open and the read; dropping the Open takes its
// reads and Close along, so no candidate holds an op on a descriptor that
// nothing opened.
func TestShrinkKeepsOpenWithItsOps(t *testing.T) {
	s := scenario.Scenario{Name: "n", Suite: "fuzz", Steps: []scenario.Step{
		scenario.Runtime(fsop.Open{Path: "x", Flags: unix.O_RDONLY, FD: "g"}, fsop.ReadFD{FD: "g", Len: 8}, fsop.Close{FD: "g"},
			fsop.Open{Path: "a", Flags: unix.O_RDONLY, FD: "f"}, fsop.Chmod{Path: "b", Mode: 0o700},
			fsop.ReadFD{FD: "f", Len: 64}, fsop.FstatFD{FD: "f"}, fsop.Close{FD: "f"}),
	}}
	orphan := false
	fails := func(c Candidate) bool {
		opened := map[string]bool{}
		read := false
		for _, st := range c.Scenario.Steps {
			for _, op := range st.Ops {
				if o, ok := op.(fsop.Open); ok {
					opened[o.FD] = true
				}
				if name := usesFD(op); name != "" && !opened[name] {
					orphan = true
				}
				if rd, ok := op.(fsop.ReadFD); ok && rd.FD == "f" && opened["f"] {
					read = true
				}
			}
		}
		return read
	}
	got, _ := Shrink(Candidate{Scenario: s, Depth: 1}, fails, 500)
	if orphan {
		t.Error("a candidate held an op on a descriptor without its Open")
	}
	ops := got.Scenario.Steps[0].Ops
	if len(ops) != 2 || opens(ops[0]) != "f" || usesFD(ops[1]) != "f" {
		t.Fatalf("shrunk to %v", ops)
	}
}

// TestGeneratorMakesDescriptorSessions: some scenarios of a seed hold a
// session (an Open and ops on its descriptor), and the same index gives
// the same scenario.
func TestGeneratorMakesDescriptorSessions(t *testing.T) {
	g := &Generator{Seed: 1, Depth: 3, Fixture: "mini", Base: map[string]string{".": "dir", "f": "file", "d": "dir", "d/g": "file"},
		Identities: []fsop.Identity{fsop.Root, {Name: "u", UID: 1000, GID: 1000}}}
	sessions := 0
	for i := range 30 {
		s, _ := g.Scenario(i)
		again, _ := g.Scenario(i)
		if len(s.Steps) != len(again.Steps) || len(s.Steps[len(s.Steps)-1].Ops) != len(again.Steps[len(again.Steps)-1].Ops) {
			t.Fatalf("scenario %d differs between two calls", i)
		}
		for _, st := range s.Steps {
			for _, op := range st.Ops {
				if opens(op) != "" {
					sessions++
				}
			}
		}
	}
	if sessions < 3 {
		t.Fatalf("%d descriptor sessions in 30 scenarios", sessions)
	}
}
