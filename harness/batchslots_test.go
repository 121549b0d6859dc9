package harness

import (
	"fmt"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// batchedBase is the snapshot of a batched base of n slots of a small
// tree: a directory with a file, a hardlink pair across two directories,
// and a symlink into the first directory.
func batchedBase(n int) *snapshot.Snapshot {
	s := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{".": {Type: "dir"}}}
	for k := 0; k < n; k++ {
		sl := fmt.Sprintf("@%d", k)
		s.Entries[sl] = snapshot.Entry{Type: "dir"}
		for _, d := range []string{"etc", "bin", "home", "home/user"} {
			s.Entries[sl+"/"+d] = snapshot.Entry{Type: "dir"}
		}
		s.Entries[sl+"/etc/passwd"] = snapshot.Entry{Type: "file"}
		s.Entries[sl+"/bin/tool"] = snapshot.Entry{Type: "file", Links: []string{sl + "/home/tool2"}}
		s.Entries[sl+"/home/tool2"] = snapshot.Entry{Type: "file", Links: []string{sl + "/bin/tool"}}
		s.Entries[sl+"/home/user/f"] = snapshot.Entry{Type: "file"}
		s.Entries[sl+"/lnk"] = snapshot.Entry{Type: "symlink"}
	}
	return s
}

// TestBatchUnitsAreWorkedOutPerSlot: a batch's units are each slot's own
// (what each op names, a hardlink's other name in its slot included); an
// op through a symlink makes that slot one unit and leaves the other
// slots' units as they are, where a scenario alone with such an op has no
// units at all (everything read in full). An op on the batch's root, or a
// scenario that is not a batch, is worked out as before.
func TestBatchUnitsAreWorkedOutPerSlot(t *testing.T) {
	base := batchedBase(4)
	batch := scenario.Scenario{Labels: []string{BatchLabel}, Steps: []scenario.Step{
		scenario.AtLayer(1, fsop.Append{Path: "@0/etc/passwd", Data: "x"}, fsop.Append{Path: "@1/lnk", Data: "x"}),
		scenario.Runtime(fsop.Chmod{Path: "@2/bin/tool", Mode: 0o600}, fsop.WriteFile{Path: "@3/new", Data: "x", Mode: 0o644},
			fsop.Chmod{Path: "@0/home/user/f", Mode: 0o600}),
	}}
	got, ok := opUnits(base, batch)
	want := []string{"@0/etc/passwd", "@0/home/user/f", "@1", "@2/bin/tool", "@2/home/tool2", "@3/new"}
	if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("batch units %q %v, want %q", got, ok, want)
	}
	alone := batch
	alone.Labels = nil
	if got, ok := opUnits(base, alone); ok {
		t.Errorf("the same ops as one scenario: units %q, want none (an op through a symlink)", got)
	}
	onRoot := batch
	onRoot.Steps = append(onRoot.Steps, scenario.Runtime(fsop.Chmod{Path: ".", Mode: 0o755}))
	if got, ok := opUnits(base, onRoot); ok {
		t.Errorf("an op on the batch's root: units %q, want none", got)
	}
}
