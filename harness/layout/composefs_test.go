package layout

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Split keeps sizes, modes, hardlinks and times, and every regular file's
// content is the object its redirect names.
func TestSplitMakesMetacopiesOfEveryFile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("trusted.overlay.* xattrs: needs root")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "layer")
	os.MkdirAll(filepath.Join(src, "d"), 0o755)
	os.WriteFile(filepath.Join(src, "d/a"), []byte("same\n"), 0o640)
	os.WriteFile(filepath.Join(src, "b"), []byte("same\n"), 0o600)
	os.Link(filepath.Join(src, "d/a"), filepath.Join(src, "d/a2"))
	os.Symlink("d/a", filepath.Join(src, "s"))
	meta, objs := filepath.Join(dir, "meta"), filepath.Join(dir, "objs")
	if err := Split(src, meta, objs); err != nil {
		t.Fatal(err)
	}
	var a, a2, b unix.Stat_t
	unix.Lstat(filepath.Join(meta, "d/a"), &a)
	unix.Lstat(filepath.Join(meta, "d/a2"), &a2)
	unix.Lstat(filepath.Join(meta, "b"), &b)
	if a.Ino != a2.Ino || a.Size != 5 || a.Mode&0o777 != 0o640 || b.Mode&0o777 != 0o600 {
		t.Errorf("meta d/a ino %d (d/a2 %d) size %d mode %o, b mode %o", a.Ino, a2.Ino, a.Size, a.Mode&0o777, b.Mode&0o777)
	}
	buf := make([]byte, 256)
	n, err := unix.Lgetxattr(filepath.Join(meta, "d/a"), xattrRedirect, buf)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(objs, string(buf[:n])))
	if err != nil || string(data) != "same\n" {
		t.Errorf("object %s: %q %v", buf[:n], data, err)
	}
	m, _ := unix.Lgetxattr(filepath.Join(meta, "b"), xattrRedirect, buf[n:])
	if string(buf[n:n+m]) != string(buf[:n]) {
		t.Errorf("equal contents, two objects: %s and %s", buf[:n], buf[n:n+m])
	}
	if _, err := unix.Lgetxattr(filepath.Join(meta, "s"), xattrMetacopy, nil); err == nil {
		t.Errorf("a symlink became a metacopy")
	}
}
