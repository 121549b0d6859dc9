package modern

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/kernfeat"
	"golang.org/x/sys/unix"
)

// needRoot skips where the check cannot mount: not root, or a kernel
// without overlayfs's "lowerdir+" (6.8), which every check's mounts use.
func needRoot(t *T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("mounts overlays: needs root")
	}
	if m, err := os.ReadFile("/proc/self/uid_map"); err == nil && len(strings.Fields(string(m))) == 3 && strings.Fields(string(m))[2] != "4294967295" {
		// --rootless: root of a user namespace may not set the trusted.*
		// xattrs the checks write, and a refusal would be a false finding.
		t.Skipf("runs in a user namespace (uid_map %q): the checks write trusted.overlay.* xattrs as real root", strings.TrimSpace(string(m)))
	}
	if kernfeat.Missing(kernfeat.LowerdirPlus) {
		t.Skipf("kernel %s has no overlayfs fsconfig key lowerdir+ (probed; Linux 6.8): the check's mounts use it", kernelRelease())
	}
}

// needDatadir skips where the kernel has no "datadir+" (6.8).
func needDatadir(t *T) {
	t.Helper()
	if kernfeat.Missing(kernfeat.DatadirPlus) {
		t.Skipf("kernel %s has no overlayfs fsconfig key datadir+ (probed; Linux 6.8): %s", kernelRelease(), citeDataOnly)
	}
}

// dirs makes the named directories beneath a fresh temporary directory.
func dirs(t *T, names ...string) map[string]string {
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

func write(t *T, p, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

func setx(t *T, p, name, val string) {
	t.Helper()
	if err := unix.Lsetxattr(p, name, []byte(val), 0); err != nil {
		t.Fatalf("setxattr %s %s: %v", p, name, err)
	}
}

// metacopy makes p an empty metacopy of size n redirecting to obj.
func metacopy(t *T, p string, n int64, obj string) {
	t.Helper()
	write(t, p, "", 0o640)
	if err := os.Truncate(p, n); err != nil {
		t.Fatal(err)
	}
	setx(t, p, "trusted.overlay.metacopy", "")
	setx(t, p, "trusted.overlay.redirect", obj)
}

func mustMount(t *T, settings ...setting) int {
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

// kernelRelease is uname -r, for skip reasons.
func kernelRelease() string {
	var u unix.Utsname
	unix.Uname(&u)
	return unix.ByteSliceToString(u.Release[:])
}
