package modern

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// composefsStack lays out what mkcomposefs does for one file: a metadata
// layer with etc/f (mode 0640, uid 1000, a user xattr, size 6) as a
// metacopy redirecting to /objects/ab/cdef of a data-only layer.
func composefsStack(t *T) map[string]string {
	d := dirs(t, "meta", "data", "upper", "work")
	write(t, filepath.Join(d["data"], "objects/ab/cdef"), "hello\n", 0o600)
	f := filepath.Join(d["meta"], "etc/f")
	metacopy(t, f, 6, "/objects/ab/cdef")
	if err := os.Lchown(f, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	setx(t, f, "user.kind", "meta")
	return d
}

func checkDataOnlyLayerIsInvisibleAndMetadataComesFromTheMetaLayer(t *T) {
	needRoot(t)
	needDatadir(t)
	d := composefsStack(t)
	mfd := mustMount(t, str("lowerdir+", d["meta"]), str("datadir+", d["data"]), str("metacopy", "on"), str("redirect_dir", "on"))
	root, err := listAt(mfd, ".")
	if err != nil || contains(root, "objects") || len(root) != 1 {
		t.Errorf("root lists %v (%v), want only etc: %s", root, err, citeDataOnly)
	}
	if _, err := statAt(mfd, "objects/ab/cdef"); errnoOf(err) != unix.ENOENT {
		t.Errorf("lookup of the object's own path: %v, want ENOENT: %s", err, citeDataOnly)
	}
	st, err := statAt(mfd, "etc/f")
	if err != nil {
		t.Fatal(err)
	}
	var meta, obj unix.Stat_t
	unix.Lstat(filepath.Join(d["meta"], "etc/f"), &meta)
	unix.Lstat(filepath.Join(d["data"], "objects/ab/cdef"), &obj)
	if st.Mode&0o7777 != 0o640 || st.Uid != 1000 || st.Size != 6 || st.Ino != meta.Ino {
		t.Errorf("etc/f: mode %o uid %d size %d ino %d, want the metadata's 640 1000 6 ino %d (not the object's ino %d): %s",
			st.Mode&0o7777, st.Uid, st.Size, st.Ino, meta.Ino, obj.Ino, citeDataOnly)
	}
	buf := make([]byte, 16)
	fd, _ := unix.Openat(mfd, "etc/f", unix.O_RDONLY, 0)
	defer unix.Close(fd)
	if n, err := unix.Fgetxattr(fd, "user.kind", buf); err != nil || string(buf[:n]) != "meta" {
		t.Errorf("etc/f user.kind: %q %v, want the metadata's", buf[:max(n, 0)], err)
	}
	if got, err := readAt(mfd, "etc/f"); got != "hello\n" {
		t.Errorf("etc/f reads %q (%v), want the object's data", got, err)
	}
}

func checkDataOnlyMissingObjectIsAnErrorNeverOtherData(t *T) {
	needRoot(t)
	needDatadir(t)
	// The open's ENOENT comes with a pr_warn_ratelimited of namei.c,
	// ovl_maybe_lookup_lowerdata ("lazy lowerdata lookup failed"): the
	// check runs only where the kernel log may take it (kernelLog).
	d := composefsStack(t)
	write(t, filepath.Join(d["data"], "objects/ab/other"), "OTHER\n", 0o600) // a neighbour that must not stand in
	os.Remove(filepath.Join(d["data"], "objects/ab/cdef"))
	mfd := mustMount(t, str("lowerdir+", d["meta"]), str("datadir+", d["data"]), str("metacopy", "on"), str("redirect_dir", "on"))
	if _, err := statAt(mfd, "etc/f"); err != nil {
		t.Errorf("stat of a metacopy whose object is missing: %v (the metadata is there)", err)
	}
	got, err := readAt(mfd, "etc/f")
	if err == nil {
		t.Fatalf("read of a metacopy whose object is missing gave %q, want an error", got)
	}
	// MissingObjectENOENT: measured, documented nowhere.
	if errnoOf(err) != unix.ENOENT && errnoOf(err) != unix.EIO {
		t.Errorf("open: %v, want ENOENT (%s) or EIO", err, MissingObjectENOENT)
	}
}

func checkDataOnlyCopyUpTakesTheObjectsData(t *T) {
	needRoot(t)
	needDatadir(t)
	d := composefsStack(t)
	mfd := mustMount(t, str("lowerdir+", d["meta"]), str("datadir+", d["data"]), str("upperdir", d["upper"]), str("workdir", d["work"]),
		str("metacopy", "on"), str("redirect_dir", "on"))
	fd, err := unix.Openat(mfd, "etc/f", unix.O_WRONLY|unix.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Write(fd, []byte("more\n"))
	unix.Close(fd)
	if got, _ := readAt(mfd, "etc/f"); got != "hello\nmore\n" {
		t.Errorf("after append: %q, want the object's data and the append", got)
	}
	up, _ := os.ReadFile(filepath.Join(d["upper"], "etc/f"))
	obj, _ := os.ReadFile(filepath.Join(d["data"], "objects/ab/cdef"))
	if string(up) != "hello\nmore\n" || string(obj) != "hello\n" {
		t.Errorf("upper holds %q, the object %q: want the copied-up data and the object unchanged", up, obj)
	}
	var st unix.Stat_t
	unix.Lstat(filepath.Join(d["upper"], "etc/f"), &st)
	if st.Mode&0o7777 != 0o640 || st.Uid != 1000 {
		t.Errorf("copied-up etc/f: mode %o uid %d, want the metadata's 640 1000", st.Mode&0o7777, st.Uid)
	}
}
