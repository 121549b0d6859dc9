package fsop_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// TestCopyTreeKeepsHardlinksOfEveryType: a hardlink group of a symlink, a
// fifo, a char device and a regular file is one inode in the copy as in
// the source (Debian's usr/bin/sh and etc/hostname style), with the same
// link count; unrelated entries of the same type stay apart.
func TestCopyTreeKeepsHardlinksOfEveryType(t *testing.T) {
	requireRoot(t)
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "copy")
	mk := map[string]func(string) error{
		"sym":  func(p string) error { return unix.Symlink("target", p) },
		"fifo": func(p string) error { return unix.Mkfifo(p, 0o640) },
		"chr":  func(p string) error { return unix.Mknod(p, unix.S_IFCHR|0o600, int(unix.Mkdev(1, 3))) },
		"file": func(p string) error { return os.WriteFile(p, []byte("x"), 0o644) },
	}
	if err := os.Mkdir(filepath.Join(src, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, make := range mk {
		for _, p := range []string{name + "-a", name + "-lone"} {
			if err := make(filepath.Join(src, p)); err != nil {
				t.Fatal(err)
			}
		}
		if err := unix.Link(filepath.Join(src, name+"-a"), filepath.Join(src, "d", name+"-b")); err != nil {
			t.Fatal(err)
		}
	}
	if err := fsop.CopyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	for name := range mk {
		a, b, lone := lstat(t, dst, name+"-a"), lstat(t, dst, "d/"+name+"-b"), lstat(t, dst, name+"-lone")
		if a.Ino != b.Ino || a.Nlink != 2 {
			t.Errorf("%s: the hardlink group is split by the copy (inodes %d, %d; nlink %d)", name, a.Ino, b.Ino, a.Nlink)
		}
		if lone.Ino == a.Ino || lone.Nlink != 1 {
			t.Errorf("%s: an unrelated entry joined the group", name)
		}
		if a.Mode != lstat(t, src, name+"-a").Mode {
			t.Errorf("%s: mode %o in the copy, %o in the source", name, a.Mode, lstat(t, src, name+"-a").Mode)
		}
	}
}

func lstat(t *testing.T, root, p string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(root, p), &st); err != nil {
		t.Fatal(err)
	}
	return st
}
