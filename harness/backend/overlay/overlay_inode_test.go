package overlay

import (
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestInodeTable: the table's N cells are expected only with layers on
// more than one filesystem and xino off; with xino on or auto, and for
// the Y cells (d_ino of a non-directory, st_ino shared by two files), an
// inode finding stays a failure.
func TestInodeTable(t *testing.T) {
	merged := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{"d": {Type: "dir"}, "f": {Type: "file"}}}
	for _, c := range []struct {
		opts, path, field string
		layerFS           int
		want              bool
	}{
		{"xino=off", "f", snapshot.InodeDev, 2, true},
		{"xino=off", "d", snapshot.InodeDev, 2, false}, // directories: uniform st_dev Y
		{"xino=off", "d", snapshot.InodeDIno, 2, true},
		{"xino=off", "f", snapshot.InodeDIno, 2, false}, // non-directories: st_ino == d_ino Y
		{"xino=off", "d", snapshot.InodeChanged, 2, true},
		{"xino=off", "f", snapshot.InodeShared, 2, false},
		{"xino=off", "f", snapshot.InodeDev, 1, false}, // all layers on one fs: Y throughout
		{"xino=auto", "f", snapshot.InodeDev, 2, false},
		{"xino=on", "d", snapshot.InodeDIno, 2, false},
	} {
		o, err := NewOverlay(c.opts)
		if err != nil {
			t.Fatal(err)
		}
		f := snapshot.Finding{Kind: snapshot.KindInode, Path: c.path, Field: c.field}
		ev := &backend.Evidence{Merged: merged, LayerFS: c.layerFS}
		got := false
		for _, e := range o.Expectations() {
			if e.ID == ExpectInodeNotSameFS && e.Match(f, ev) {
				got = true
			}
		}
		if got != c.want {
			t.Errorf("%s, %s %s on %d filesystems: expected %v, want %v", c.opts, c.path, c.field, c.layerFS, got, c.want)
		}
	}
}
