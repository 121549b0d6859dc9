package modern

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounts overlays: needs root")
	}
}

// dirs makes the named directories beneath a fresh temporary directory.
func dirs(t *testing.T, names ...string) map[string]string {
	t.Helper()
	root := t.TempDir()
	out := map[string]string{}
	for _, n := range names {
		out[n] = filepath.Join(root, n)
		if err := os.MkdirAll(out[n], 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func write(t *testing.T, p, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

func setx(t *testing.T, p, name, val string) {
	t.Helper()
	if err := unix.Lsetxattr(p, name, []byte(val), 0); err != nil {
		t.Fatalf("setxattr %s %s: %v", p, name, err)
	}
}

// metacopy makes p an empty metacopy of size n redirecting to obj.
func metacopy(t *testing.T, p string, n int64, obj string) {
	t.Helper()
	write(t, p, "", 0o640)
	if err := os.Truncate(p, n); err != nil {
		t.Fatal(err)
	}
	setx(t, p, "trusted.overlay.metacopy", "")
	setx(t, p, "trusted.overlay.redirect", obj)
}

func mustMount(t *testing.T, settings ...setting) int {
	t.Helper()
	mfd, err := detached(settings...)
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() { unix.Close(mfd) })
	return mfd
}

func errnoOf(err error) unix.Errno {
	var me *mountErr
	if errors.As(err, &me) {
		return me.errno
	}
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// kernelHasConfig reports y/m/"" for a kernel config symbol from
// /proc/config.gz or /boot/config-$(uname -r), and whether either was
// readable.
func kernelRelease() string {
	var u unix.Utsname
	unix.Uname(&u)
	return unix.ByteSliceToString(u.Release[:])
}
