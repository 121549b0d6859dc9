package harness

import (
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestMarkStanding: a finding equal to a standing one (kind, path, field,
// both values) is marked, unless an op of the scenario names its path or
// a directory above it; one that differs in any value is not.
func TestMarkStanding(t *testing.T) {
	root := snapshot.Finding{Kind: snapshot.KindInvariant, Path: ".", Field: "readdir", Reference: `lists ".."`, Merged: "missing"}
	wh := snapshot.Finding{Kind: snapshot.KindMissing, Path: "opt/wh/x", Field: "entry", Reference: "file", Merged: "absent"}
	standing := []snapshot.Finding{root, wh}
	otherValue := wh
	otherValue.Reference = "dir"
	for _, c := range []struct {
		name string
		ops  []fsop.Op
		f    snapshot.Finding
		want bool
	}{
		{"no op", nil, wh, true},
		{"op elsewhere", []fsop.Op{fsop.Chmod{Path: "etc/passwd"}}, wh, true},
		{"op creates beside it", []fsop.Op{fsop.Mkdir{Path: "opt/wh/new"}}, wh, true},
		{"root listing, ops below it", []fsop.Op{fsop.Mkdir{Path: "new"}}, root, true},
		{"op on the path", []fsop.Op{fsop.Remove{Path: "opt/wh/x"}}, wh, false},
		{"op on a parent", []fsop.Op{fsop.Rename{From: "opt/wh", To: "opt/wh2"}}, wh, false},
		{"another value", nil, otherValue, false},
	} {
		s := scenario.Scenario{Steps: []scenario.Step{scenario.Runtime(c.ops...)}}
		fs := []snapshot.Finding{c.f}
		markStanding(fs, standing, s)
		if fs[0].Standing != c.want {
			t.Errorf("%s: standing %v, want %v", c.name, fs[0].Standing, c.want)
		}
	}
}
