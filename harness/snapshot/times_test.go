package snapshot

import (
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/testenv"
	"golang.org/x/sys/unix"
)

// stampAll gives every path of testenv.BaseOps layer k's known times.
func stampAll(k int) []fsop.Op {
	a, m := fsop.LayerStamps(k)
	var ops []fsop.Op
	for _, p := range []string{"etc", "etc/passwd", "etc/shadow", "home", "home/a", "link", "gone", "gone/child"} {
		ops = append(ops, fsop.Utimens{Path: p, Atime: a, Mtime: m, NoFollow: true})
	}
	return ops
}

// TestCompareTimesCatchesRoundingAndMtimeOfChmod: two plain trees with the
// same known times; then on both a chmod and a new file, and on the one
// that plays the merged view a copy that rounded a file's times to whole
// seconds and a chmod that also moved mtime (as a buggy copy-up and a
// buggy setattr would). Exactly those come out as time findings; what the
// kernel did alike on both sides (the new file's times, the chmod's ctime,
// the parent's mtime) does not.
func TestCompareTimesCatchesRoundingAndMtimeOfChmod(t *testing.T) {
	testenv.RequireRoot(t)
	tmp := t.TempDir()
	ref, got := filepath.Join(tmp, "ref"), filepath.Join(tmp, "got")
	for _, d := range []string{ref, got} {
		testenv.Build(t, d, testenv.BaseOps...)
		testenv.Build(t, d, stampAll(1)...)
	}
	pol, err := CtimeBoundary(tmp)
	if err != nil {
		t.Fatal(err)
	}
	a, m := fsop.LayerStamps(1)
	both := []fsop.Op{fsop.Chmod{Path: "etc/shadow", Mode: 0o640}, fsop.WriteFile{Path: "home/new", Data: "n", Mode: 0o644}}
	testenv.Build(t, ref, both...)
	testenv.Build(t, got, both...)
	testenv.Build(t, got,
		fsop.Utimens{Path: "etc/passwd", Atime: fsop.Stamp{Sec: a.Sec}, Mtime: fsop.Stamp{Sec: m.Sec}}, // rounded
		fsop.Utimens{Path: "etc/shadow", Atime: fsop.Omit, Mtime: fsop.Now})                            // chmod moved mtime
	fs := CompareTimes(snap(t, ref), snap(t, got), pol)
	want := map[string]bool{"etc/passwd mtime": true, "etc/passwd atime": true, "etc/passwd ctime": true, "etc/shadow mtime": true}
	for _, f := range fs {
		if f.Kind != KindTime {
			t.Errorf("finding of kind %s: %v", f.Kind, f)
		}
		if !want[f.Path+" "+f.Field] {
			t.Errorf("unexpected finding %v", f)
		}
		delete(want, f.Path+" "+f.Field)
	}
	for k := range want {
		t.Errorf("no finding %q; got %v", k, fs)
	}
}

// TestTimeClass: a known stamp reads exactly, with its layer; the same
// second without its nanoseconds reads as another value; a time the
// kernel set reads as changed.
func TestTimeClass(t *testing.T) {
	_, m := fsop.LayerStamps(2)
	exact := TimeClass(unixTS(m.Sec, m.Nsec))
	if exact != "2001-01-03T00:00:00.123456791Z (layer 2's mtime)" {
		t.Errorf("known stamp reads %q", exact)
	}
	if r := TimeClass(unixTS(m.Sec, 0)); r == exact || r == ChangedTime {
		t.Errorf("rounded stamp reads %q", r)
	}
	if r := TimeClass(unixTS(fsop.KnownTimesEnd+5, 1)); r != ChangedTime {
		t.Errorf("a kernel time reads %q", r)
	}
}

func unixTS(sec, nsec int64) unix.Timespec { return unix.Timespec{Sec: sec, Nsec: nsec} }
