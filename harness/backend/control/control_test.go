package control

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"golang.org/x/sys/unix"
)

func mustWrite(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestMountFlattensAndUnmountWritesTheUpper: the lowers are read per the
// overlay format (a 0/0 whiteout, an opaque directory, a name that only
// looks like a whiteout), and what changed in the target is written back
// as an overlay upper: a whiteout for a deleted lower name, hardlinks
// kept; the target is empty after.
func TestMountFlattensAndUnmountWritesTheUpper(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: trusted.* xattrs and 0/0 character devices")
	}
	tmp := t.TempDir()
	l0, l1, up, target := filepath.Join(tmp, "l0"), filepath.Join(tmp, "l1"), filepath.Join(tmp, "u"), filepath.Join(tmp, "m")
	for _, d := range []string{l0, l1, up, target} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(t, filepath.Join(l0, "a"), "a")
	mustWrite(t, filepath.Join(l0, ".wh.x"), "not a whiteout")
	mustWrite(t, filepath.Join(l0, "d/1"), "1")
	mustWrite(t, filepath.Join(l1, "d/3"), "3")
	if err := unix.Mknod(filepath.Join(l1, "a"), unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(filepath.Join(l1, "d"), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		t.Fatal(err)
	}
	spec := backend.MountSpec{Lowers: []string{l1, l0}, Upper: up, Target: target}
	m, err := New().Mount(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(t, target), []string{".wh.x", "d", "d/3"}; !slices.Equal(got, want) {
		t.Errorf("merged view %v, want %v", got, want)
	}
	if err := os.Remove(filepath.Join(target, ".wh.x")); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(target, "f"), "f")
	if err := os.Link(filepath.Join(target, "f"), filepath.Join(target, "g")); err != nil {
		t.Fatal(err)
	}
	if err := m.Unmount(); err != nil {
		t.Fatal(err)
	}
	if got := names(t, target); len(got) != 0 {
		t.Errorf("target after unmount holds %v", got)
	}
	var wh, f, g unix.Stat_t
	if err := unix.Lstat(filepath.Join(up, ".wh.x"), &wh); err != nil || wh.Mode&unix.S_IFMT != unix.S_IFCHR || wh.Rdev != 0 {
		t.Errorf("upper .wh.x is not a 0/0 whiteout (%v, mode %o)", err, wh.Mode)
	}
	if unix.Lstat(filepath.Join(up, "f"), &f) != nil || unix.Lstat(filepath.Join(up, "g"), &g) != nil || f.Ino != g.Ino {
		t.Errorf("upper f and g are not one inode")
	}
	if got, want := names(t, up), []string{".wh.x", "f", "g"}; !slices.Equal(got, want) {
		t.Errorf("upper holds %v, want %v", got, want)
	}
}
