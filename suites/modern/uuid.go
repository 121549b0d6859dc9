package modern

import (
	"bytes"
	"path/filepath"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

func fsidOf(t *T, mfd int) [2]int32 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Fstatfs(mfd, &st); err != nil {
		t.Fatal(err)
	}
	return st.Fsid.Val
}

func fsidOfPath(t *T, p string) [2]int32 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Fsid.Val
}

type stack struct{ lower, lower2, upper, work string }

func newStack(t *T) stack {
	d := dirs(t, "lower", "lower2", "upper", "work")
	write(t, filepath.Join(d["lower"], "f"), "lower\n", 0o644)
	return stack{d["lower"], d["lower2"], d["upper"], d["work"]}
}

func (s stack) mount(t *T, opts ...setting) int {
	t.Helper()
	return mustMount(t, append([]setting{str("lowerdir+", s.lower), str("lowerdir+", s.lower2), str("upperdir", s.upper), str("workdir", s.work)}, opts...)...)
}

// fsid mounts s with opts, reads the mount's fsid and takes the mount
// down again before it returns: a remount of the same upper while the
// first mount lives is what overlayfs.rst, "Sharing and copying layers",
// forbids ("Using an upper layer path and/or a workdir path that are
// already used by another overlay mount is not allowed"), and the kernel
// logs it.
func (s stack) fsid(t *T, opts ...setting) [2]int32 {
	t.Helper()
	mfd, err := detached(append([]setting{str("lowerdir+", s.lower), str("lowerdir+", s.lower2), str("upperdir", s.upper), str("workdir", s.work)}, opts...)...)
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	defer unix.Close(mfd)
	return fsidOf(t, mfd)
}

// copyStack copies every layer with its xattrs (a rebuilt copy).
func copyStack(t *T, s stack) stack {
	t.Helper()
	root := t.TempDir()
	c := stack{filepath.Join(root, "lower"), filepath.Join(root, "lower2"), filepath.Join(root, "upper"), filepath.Join(root, "work")}
	for _, p := range [][2]string{{s.lower, c.lower}, {s.lower2, c.lower2}, {s.upper, c.upper}} {
		if err := fsop.CopyTree(p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Mkdir(c.work, 0o755); err != nil {
		t.Fatal(err)
	}
	return c
}

// uuid=null and uuid=off: "fsid is taken from upper most filesystem";
// uuid=on: "UUID of overlayfs is generated and used to report a unique
// fsid", stored in trusted.overlay.uuid "making overlayfs fsid unique and
// persistent" (so it survives a remount and a copy that keeps xattrs).
func checkUUIDFsid(t *T) {
	needRoot(t)
	for _, v := range []string{"null", "off"} {
		s := newStack(t)
		if got, want := s.fsid(t, str("uuid", v)), fsidOfPath(t, s.upper); got != want {
			t.Errorf("uuid=%s: fsid %v, want the upper filesystem's %v: %s", v, got, want, citeUUID)
		}
	}
	s, s2 := newStack(t), newStack(t)
	first := s.fsid(t, str("uuid", "on"))
	other := s2.fsid(t, str("uuid", "on"))
	if first == fsidOfPath(t, s.upper) || first == other {
		t.Errorf("uuid=on: fsid %v, another overlay's %v, the upper's %v: want unique: %s", first, other, fsidOfPath(t, s.upper), citeUUID)
	}
	if _, err := unix.Getxattr(s.upper, "trusted.overlay.uuid", nil); err != nil {
		t.Errorf("uuid=on: no trusted.overlay.uuid on the upper root (%v): %s", err, citeUUID)
	}
	if again := s.fsid(t, str("uuid", "on")); again != first {
		t.Errorf("uuid=on: fsid %v after a remount, was %v: want persistent: %s", again, first, citeUUID)
	}
	if auto := s.fsid(t); auto != first {
		t.Errorf("uuid=auto over an upper mounted with uuid=on: fsid %v, want the stored uuid's %v: %s", auto, first, citeUUID)
	}
	c := copyStack(t, s)
	if copied := c.fsid(t, str("uuid", "on")); copied != first {
		t.Errorf("uuid=on on a copy of the layers (xattrs kept): fsid %v, want the stored uuid's %v: %s", copied, first, citeUUID)
	}
}

// uuid=auto: "Upgrade to "uuid=on" on first time mount of new overlay
// filesystem that meets the prerequisites. Downgrade to "uuid=null" for
// existing overlay filesystems that were never mounted with "uuid=on"."
func checkUUIDAuto(t *T) {
	needRoot(t)
	s := newStack(t)
	fresh := s.fsid(t, str("uuid", "auto"))
	if fresh == fsidOfPath(t, s.upper) {
		t.Errorf("uuid=auto on a new overlay: fsid %v is the upper's: want an upgrade to uuid=on: %s", fresh, citeUUID)
	}
	old := newStack(t)
	mfd, err := detached(str("lowerdir+", old.lower), str("lowerdir+", old.lower2), str("upperdir", old.upper), str("workdir", old.work), str("uuid", "null"))
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	// A copy-up marks the upper root impure: what makes it "existing"
	// to the kernel (super.c, ovl_init_uuid_xattr).
	if err := unix.Fchmodat(mfd, "f", 0o600, 0); err != nil {
		t.Fatal(err)
	}
	unix.Close(mfd) // before the remount (see fsid)
	if got := old.fsid(t, str("uuid", "auto")); got != fsidOfPath(t, old.upper) {
		t.Errorf("uuid=auto on an overlay used before with uuid=null: fsid %v, want the upper's %v (downgrade to null): %s", got, fsidOfPath(t, old.upper), citeUUID)
	}
}

// handleOpts are index=on,nfs_export=on, what file handles need.
var handleOpts = []setting{str("index", "on"), str("nfs_export", "on")}

// mountForHandles mounts s with handleOpts, or skips where the scratch
// cannot have them.
func mountForHandles(t *T, s stack) int {
	t.Helper()
	mfd, err := detached(append([]setting{str("lowerdir+", s.lower), str("lowerdir+", s.lower2), str("upperdir", s.upper), str("workdir", s.work)}, handleOpts...)...)
	if errnoOf(err) == unix.EOPNOTSUPP {
		t.Skipf("index=on,nfs_export=on refused on this scratch (%v): overlayfs.rst, \"Sharing and copying layers\": EOPNOTSUPP if the lower filesystem does not support NFS export or has no UUID", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return mfd
}

// File handles with index=on,nfs_export=on decode after a remount to the
// same file ("NFS export": the handle encodes the lower or upper inode).
func checkFileHandlesAcrossRemount(t *T) {
	needRoot(t)
	s := newStack(t)
	opts := handleOpts
	mfd := mountForHandles(t, s)
	fd, err := unix.Openat(mfd, "up", unix.O_CREAT|unix.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	unix.Write(fd, []byte("upper\n"))
	unix.Close(fd)
	handles := map[string]unix.FileHandle{}
	for _, n := range []string{"f", "up"} {
		h, _, err := unix.NameToHandleAt(mfd, n, 0)
		if err != nil {
			t.Fatalf("name_to_handle_at %s: %v", n, err)
		}
		handles[n] = h
	}
	unix.Close(mfd)
	root, err := unix.Openat(s.mount(t, opts...), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(root)
	for n, want := range map[string]string{"f": "lower\n", "up": "upper\n"} {
		fd, err := unix.OpenByHandleAt(root, handles[n], unix.O_RDONLY)
		if err != nil {
			t.Errorf("open_by_handle_at %s after a remount: %v, want the file (overlayfs.rst, \"NFS export\")", n, err)
			continue
		}
		b := make([]byte, 16)
		k, _ := unix.Read(fd, b)
		unix.Close(fd)
		if !bytes.Equal(b[:k], []byte(want)) {
			t.Errorf("handle of %s decodes to %q, want %q", n, b[:k], want)
		}
	}
}

// Copies of the layers are refused at mount with index on ("Sharing and
// copying layers": "trying to mount the copied layers will fail the
// verification of the lower root file handle"). super.c says why with
// pr_err ("failed to verify upper root origin"), into the kernel log: the
// check runs only where a run may write there (kernelLog).
func checkCopiedLayersRefused(t *T) {
	needRoot(t)
	s := newStack(t)
	unix.Close(mountForHandles(t, s)) // the first mount records the origin; down before the copy's
	c := copyStack(t, s)
	_, err := detached(append([]setting{str("lowerdir+", c.lower), str("lowerdir+", c.lower2), str("upperdir", c.upper), str("workdir", c.work)}, handleOpts...)...)
	if errnoOf(err) != unix.ESTALE {
		t.Errorf("mount of copied layers with index=on: %v, want ESTALE (overlayfs.rst, \"Sharing and copying layers\")", err)
	}
}
