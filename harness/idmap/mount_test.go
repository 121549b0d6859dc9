package idmap

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// privateTmpfs gives the test a tmpfs in a mount namespace of its own
// thread, so nothing it mounts reaches the host's mount table even if it
// fails halfway; fn runs on that thread.
func privateTmpfs(t *testing.T, fn func(dir string)) {
	if os.Geteuid() != 0 {
		t.Skip("idmapped mounts need root")
	}
	dir := t.TempDir()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with its namespace
		if err := unix.Unshare(unix.CLONE_NEWNS | unix.CLONE_FS); err != nil {
			t.Errorf("unshare: %v", err)
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			t.Errorf("make / private: %v", err)
			return
		}
		if err := unix.Mount("t", dir, "tmpfs", 0, "mode=0755"); err != nil {
			t.Errorf("tmpfs: %v", err)
			return
		}
		defer unix.Unmount(dir, unix.MNT_DETACH)
		fn(dir)
	}()
	<-done
}

// mappedView is dir's view through the default mapping, or nil after
// t.Error (privateTmpfs's thread cannot t.Fatal).
func mappedView(t *testing.T, dir string) *View {
	t.Helper()
	ns, err := NewUserns(Default)
	if err != nil {
		t.Error(err)
		return nil
	}
	v, err := NewView(ns, dir)
	if err != nil {
		t.Error(err)
		return nil
	}
	return v
}

func owner(t *testing.T, p string) (uint32, uint32) {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Uid, st.Gid
}

// TestViewDirection: what the harness writes through the mapped view is
// stored as host ids, what is stored outside the mapping shows as the
// overflow id, and the kernel refuses ids it cannot store.
func TestViewDirection(t *testing.T) {
	privateTmpfs(t, func(dir string) {
		v := mappedView(t, dir)
		if v == nil {
			return
		}
		defer v.Close()
		f := filepath.Join(v.Mapped, "f")
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Error(err)
			return
		}
		must(t, os.Lchown(f, 5, 6))
		if u, g := owner(t, v.RawPath(f)); u != 100005 || g != 100006 {
			t.Errorf("container 5:6 stored as %d:%d, want 100005:100006", u, g)
		}
		if u, g := owner(t, f); u != 5 || g != 6 {
			t.Errorf("mapped view shows %d:%d, want 5:6", u, g)
		}
		must(t, os.Lchown(v.RawPath(f), 7, 165536))
		if u, g := owner(t, f); u != Overflow || g != Overflow {
			t.Errorf("unmapped 7:165536 shows as %d:%d, want overflow", u, g)
		}
		if err := os.Chmod(f, 0o600); !errors.Is(err, unix.EOVERFLOW) {
			t.Errorf("chmod of an unmapped owner's file: %v, want EOVERFLOW", err)
		}
		must(t, os.Lchown(v.RawPath(f), 100000, 100000))
		if err := os.Lchown(f, 70000, 0); !errors.Is(err, unix.EOVERFLOW) {
			t.Errorf("chown to a container id with no mapping: %v, want EOVERFLOW", err)
		}
	})
}

// TestStack: mapped paths get an idmapped mount each, raw ones pass as they
// are, and release leaves nothing mounted.
func TestStack(t *testing.T) {
	privateTmpfs(t, func(dir string) {
		v := mappedView(t, dir)
		if v == nil {
			return
		}
		defer v.Close()
		for _, d := range []string{"l0", "s/u", "s/w"} {
			must(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
		}
		must(t, os.WriteFile(filepath.Join(dir, "l0", "x"), nil, 0o644))
		must(t, os.Lchown(filepath.Join(dir, "l0", "x"), 100003, 100003))
		lowers, upper, work, release, err := v.Stack([]string{v.MappedPath(filepath.Join(dir, "l0")), filepath.Join(dir, "l0")},
			v.MappedPath(filepath.Join(dir, "s/u")), v.MappedPath(filepath.Join(dir, "s/w")))
		if err != nil {
			t.Error(err)
			return
		}
		if u, _ := owner(t, filepath.Join(lowers[0], "x")); u != 3 {
			t.Errorf("idmapped lower shows uid %d, want 3", u)
		}
		if lowers[1] != filepath.Join(dir, "l0") {
			t.Errorf("raw lower became %s", lowers[1])
		}
		if filepath.Dir(upper) != filepath.Dir(work) {
			t.Errorf("upper %s and work %s on different mounts", upper, work)
		}
		must(t, release())
		if _, err := os.Stat(lowers[0]); !os.IsNotExist(err) {
			t.Errorf("mount point %s left: %v", lowers[0], err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Error(err)
	}
}
