package harness

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestOpUmask: an op with a umask creates under it, as root and as a user,
// on its own thread only: the process's umask is the same afterwards, and
// an op without a umask gets the process's. The shell line sets the umask
// in a subshell, with commands that honour it.
func TestOpUmask(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	os.Chmod(root, 0o777)
	tree, _ := OpenTree(root)
	defer tree.Close()
	old := unix.Umask(0o022)
	defer unix.Umask(old)
	user := Identity{Name: "user", UID: 1000, GID: 1000}
	ops := []struct {
		op   Op
		path string
		want string
	}{
		{Mkdir{Path: "d-root", Mode: 0o777, By: By{Umask: Mask(0o027)}}, "d-root", "0750"},
		{Mkdir{Path: "d-user", Mode: 0o777, By: By{As: user, Umask: Mask(0o077)}}, "d-user", "0700"},
		{WriteFile{Path: "f-user", Data: "x", Mode: 0o666, By: By{As: user, Umask: Mask(0o002)}}, "f-user", "0664"},
		{Mkfifo{Path: "p-root", Mode: 0o666, By: By{Umask: Mask(0)}}, "p-root", "0666"},
		{Mkdir{Path: "d-plain", Mode: 0o777}, "d-plain", "0755"},
		{Mkdir{Path: "d-plain-user", Mode: 0o777, By: By{As: user}}, "d-plain-user", "0755"},
	}
	for _, c := range ops {
		if out := Apply(tree, c.op); out != OK {
			t.Fatalf("%s: %s", c.op.Shell(), out)
		}
		if got := snap(t, root).Entries[c.path].Mode; got != c.want {
			t.Errorf("%s: mode %s, want %s", c.op.Shell(), got, c.want)
		}
	}
	if now := unix.Umask(0o022); now != 0o022 {
		t.Errorf("the process's umask changed to %04o", now)
	}
	for _, c := range ops[:4] {
		if sh := c.op.Shell(); !strings.HasPrefix(sh, "(umask 0") || strings.Contains(sh, "mkdir -m") || strings.Contains(sh, "mkfifo -m") {
			t.Errorf("shell line %q does not apply the umask", sh)
		}
	}
	if sh := ops[4].op.Shell(); strings.Contains(sh, "umask") {
		t.Errorf("shell line %q sets a umask the op has not", sh)
	}
}
