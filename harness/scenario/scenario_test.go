package scenario

import (
	"slices"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
)

func TestPositions(t *testing.T) {
	cases := map[int][]int{
		1:   nil,
		2:   {1},
		5:   {1, 2, 3, 4},
		7:   {1, 2, 3, 4, 5, 6},
		50:  {1, 2, 24, 48, 49},
		500: {1, 2, 249, 498, 499},
	}
	for depth, want := range cases {
		if got := Positions(depth); !slices.Equal(got, want) {
			t.Errorf("Positions(%d) = %v, want %v", depth, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	s := Scenario{Name: "x", Suite: "s", Steps: []Step{
		InLayer("a", fsop.Chmod{Path: "f", Mode: 0o600}),
		InLayer("b", fsop.Chmod{Path: "f", Mode: 0o644}),
		Runtime(fsop.Remove{Path: "f"}),
	}}
	var names []string
	for _, inst := range Expand(s, 4) {
		names = append(names, inst.Name)
		if inst.Steps[0].Layer >= inst.Steps[1].Layer || inst.Steps[0].Var != "" {
			t.Errorf("%s: layers %d, %d not placed in order", inst.Name, inst.Steps[0].Layer, inst.Steps[1].Layer)
		}
	}
	want := []string{"x/layers=1,2", "x/layers=1,3", "x/layers=2,3"}
	if !slices.Equal(names, want) {
		t.Errorf("Expand at depth 4: %v, want %v", names, want)
	}
	// Cost stays flat with depth: the same number of placements at 50 and 500.
	if a, b := len(Expand(s, 50)), len(Expand(s, 500)); a != b || a > 10 {
		t.Errorf("placements at depth 50 and 500: %d and %d", a, b)
	}
	if inst := Expand(s, 1); len(inst) != 1 || inst[0].Skip == "" {
		t.Errorf("two layers at depth 1 should skip, got %+v", inst)
	}
	bad := Scenario{Name: "bad", Steps: []Step{Runtime(), AtLayer(1)}}
	if inst := Expand(bad, 3); inst[0].Skip == "" {
		t.Errorf("a layer step after a runtime step should not run")
	}
}
