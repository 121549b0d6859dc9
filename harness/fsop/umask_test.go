package fsop_test

import (
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// TestOpUmask: an op with a umask creates under it, as root and as a user,
// on its own thread only: the process's umask is the same afterwards, and
// an op without a umask gets the process's. The shell line sets the umask
// in a subshell, with commands that honour it.
func TestOpUmask(t *testing.T) {
	root, tree := rootTree(t, 0o777)
	old := unix.Umask(0o022)
	defer unix.Umask(old)
	user := fsop.Identity{Name: "user", UID: 1000, GID: 1000}
	ops := []struct {
		op   fsop.Op
		path string
		want string
	}{
		{fsop.Mkdir{Path: "d-root", Mode: 0o777, By: fsop.By{Umask: fsop.Mask(0o027)}}, "d-root", "0750"},
		{fsop.Mkdir{Path: "d-user", Mode: 0o777, By: fsop.By{As: user, Umask: fsop.Mask(0o077)}}, "d-user", "0700"},
		{fsop.WriteFile{Path: "f-user", Data: "x", Mode: 0o666, By: fsop.By{As: user, Umask: fsop.Mask(0o002)}}, "f-user", "0664"},
		{fsop.Mkfifo{Path: "p-root", Mode: 0o666, By: fsop.By{Umask: fsop.Mask(0)}}, "p-root", "0666"},
		{fsop.Mkdir{Path: "d-plain", Mode: 0o777}, "d-plain", "0755"},
		{fsop.Mkdir{Path: "d-plain-user", Mode: 0o777, By: fsop.By{As: user}}, "d-plain-user", "0755"},
	}
	for _, c := range ops {
		if out := fsop.Apply(tree, c.op); out != fsop.OK {
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
		if line := c.op.Shell(); !strings.HasPrefix(line, "(umask 0") || strings.Contains(line, "mkdir -m") || strings.Contains(line, "mkfifo -m") {
			t.Errorf("shell line %q does not apply the umask", line)
		}
	}
	if line := ops[4].op.Shell(); strings.Contains(line, "umask") {
		t.Errorf("shell line %q sets a umask the op has not", line)
	}
}
