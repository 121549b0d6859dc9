package fsop_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// TestUtimens: explicit times land to the nanosecond, on a symlink itself
// with NoFollow and on its target without; Omit keeps a time; only the
// owner (or root) may set explicit times, a user with write access only
// Now; the shell line does what the op does.
func TestUtimens(t *testing.T) {
	root, tree := rootTree(t, 0o755)
	owner := fsop.Identity{Name: "owner", UID: 1000, GID: 1000}
	other := fsop.Identity{Name: "other", UID: 1001, GID: 1001}
	a, m := fsop.LayerStamps(3)
	setup := []fsop.Op{
		fsop.WriteFile{Path: "f", Data: "x", Mode: 0o666}, fsop.Chown{Path: "f", UID: 1000, GID: 1000},
		fsop.Chmod{Path: "f", Mode: 0o646}, fsop.Symlink{Target: "f", Path: "l"},
	}
	for _, op := range setup {
		if out := fsop.Apply(tree, op); out != fsop.OK {
			t.Fatalf("%s: %s", op.Shell(), out)
		}
	}
	cases := []struct {
		op   fsop.Op
		want fsop.Outcome
	}{
		{fsop.Utimens{Path: "l", Atime: a, Mtime: m, NoFollow: true}, fsop.OK},
		{fsop.Utimens{Path: "f", Atime: m, Mtime: a, By: fsop.By{As: owner}}, fsop.OK},
		{fsop.Utimens{Path: "f", Atime: fsop.Omit, Mtime: m, By: fsop.By{As: owner}}, fsop.OK},
		{fsop.Utimens{Path: "f", Atime: a, Mtime: m, By: fsop.By{As: other}}, "EPERM"},
		{fsop.Utimens{Path: "f", Atime: fsop.Now, Mtime: fsop.Now, By: fsop.By{As: other}}, fsop.OK},
		{fsop.Utimens{Path: "missing", Atime: a, Mtime: m}, "ENOENT"},
	}
	for _, c := range cases {
		if out := fsop.Apply(tree, c.op); out != c.want {
			t.Errorf("%s: %s, want %s", c.op.Shell(), out, c.want)
		}
	}
	var st unix.Stat_t
	unix.Lstat(filepath.Join(root, "l"), &st)
	if st.Atim != (unix.Timespec{Sec: a.Sec, Nsec: a.Nsec}) || st.Mtim != (unix.Timespec{Sec: m.Sec, Nsec: m.Nsec}) {
		t.Errorf("symlink times %v %v, want %v %v", st.Atim, st.Mtim, a, m)
	}
	// The shell line, on a fresh file: Omit keeps atime, mtime exact.
	os.WriteFile(filepath.Join(root, "g"), nil, 0o644)
	unix.Lstat(filepath.Join(root, "g"), &st)
	before := st.Atim
	line := fsop.Utimens{Path: "g", Atime: fsop.Omit, Mtime: m}.Shell()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", line, err, out)
	}
	unix.Lstat(filepath.Join(root, "g"), &st)
	if st.Atim != before || st.Mtim != (unix.Timespec{Sec: m.Sec, Nsec: m.Nsec}) {
		t.Errorf("after `%s`: atime %v (was %v), mtime %v", line, st.Atim, before, st.Mtim)
	}
}
