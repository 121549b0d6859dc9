package snapshot

import (
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/internal/testenv"
)

// TestPathSnapshotReadsTheChainOnly: the path, its existing parents, and
// nothing else; a symlinked parent is not followed.
func TestPathSnapshotReadsTheChainOnly(t *testing.T) {
	testenv.RequireRoot(t)
	dir := filepath.Join(t.TempDir(), "t")
	testenv.Build(t, dir, testenv.BaseOps...)
	s, err := TakePathSnapshot(dir, []string{"home/a", "link/x", "nothere/y", "etc/passwd"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".", "home", "home/a", "link", "etc", "etc/passwd"}
	for _, p := range want {
		if _, ok := s.Entries[p]; !ok {
			t.Errorf("no entry %q", p)
		}
	}
	if len(s.Entries) != len(want) {
		t.Errorf("entries %v, want only %v", s.Entries, want)
	}
	full := snap(t, dir)
	if fs := Compare(&Snapshot{Entries: map[string]Entry{"home/a": full.Entries["home/a"]}}, &Snapshot{Entries: map[string]Entry{"home/a": s.Entries["home/a"]}}); len(fs) > 0 {
		// Links are a whole-tree property: the path snapshot has none.
		for _, f := range fs {
			if f.Field != "links" {
				t.Errorf("path snapshot differs from the full one: %v", f)
			}
		}
	}
}
