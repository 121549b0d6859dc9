// Package testenv holds what the tests of several harness packages share:
// the root check and a small tree built from ops. It is imported by tests
// only.
package testenv

import (
	"os"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
)

// RequireRoot skips t unless it runs as root: the harness's tests mount
// filesystems, change owners and act as other users.
func RequireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: ops change owners and act as other users")
	}
}

// Build applies ops, as root, to a fresh directory dir.
func Build(t *testing.T, dir string, ops ...fsop.Op) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tree, err := fsop.OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	for _, op := range ops {
		if out := fsop.Apply(tree, op); out != fsop.OK {
			t.Fatalf("%s: %s", op.Shell(), out)
		}
	}
}

// BaseOps is a small tree with a bit of everything: directories, a private
// file, a hardlink pair, a symlink, an xattr, a directory with a child.
var BaseOps = []fsop.Op{fsop.Mkdir{Path: "etc", Mode: 0o755}, fsop.WriteFile{Path: "etc/passwd", Data: "root\n", Mode: 0o644}, fsop.WriteFile{Path: "etc/shadow", Data: "secret\n", Mode: 0o600}, fsop.Mkdir{Path: "home", Mode: 0o700}, fsop.WriteFile{Path: "home/a", Data: "a", Mode: 0o644}, fsop.Link{Old: "home/a", New: "home/b"}, fsop.Symlink{Target: "etc/passwd", Path: "link"}, fsop.SetXattr{Path: "etc/passwd", Name: "user.x", Value: "1"}, fsop.Mkdir{Path: "gone", Mode: 0o755}, fsop.WriteFile{Path: "gone/child", Data: "c", Mode: 0o644}}
