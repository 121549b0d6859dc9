package commit

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// stackDirs is one test's layers: L1 over L0, the upper U, the work dir W
// and the mount point M.
type stackDirs struct{ base, L0, L1, U, W, M string }

func newStackDirs(t *testing.T) stackDirs {
	d := dirs(t, "L0", "L1", "U", "W", "M")
	noMounts(t, d["base"])
	s := stackDirs{base: d["base"], L0: d["L0"], L1: d["L1"], U: d["U"], W: d["W"], M: d["M"]}
	buildLowers(t, s)
	return s
}

func (s stackDirs) lowers() []string { return []string{s.L1, s.L0} }

func (s stackDirs) overlayOpts(extra string) string {
	o := "lowerdir=" + s.L1 + ":" + s.L0 + ",upperdir=" + s.U + ",workdir=" + s.W
	if extra != "" {
		o += "," + extra
	}
	return o
}

// buildLowers writes the two lower layers every round trip starts from:
// files, a dir merged from both layers, a name L1 shadows, a hardlink
// pair, a symlink, a fifo, a device, xattrs, odd modes and owners.
func buildLowers(t *testing.T, s stackDirs) {
	l0, l1 := s.L0, s.L1
	writeFile(t, l0+"/a/f", "hello from L0\n", 0o644)
	writeFile(t, l0+"/a/g", "g\n", 0o640)
	writeFile(t, l0+"/a/sub/deep", "deep\n", 0o600)
	writeFile(t, l0+"/d/x", "x\n", 0o644)
	writeFile(t, l0+"/d/y/z", "z\n", 0o644)
	writeFile(t, l0+"/own", "own\n", 0o644)
	writeFile(t, l0+"/perm", "perm\n", 0o755)
	writeFile(t, l0+"/hl1", "linked\n", 0o644)
	must(t, os.Link(l0+"/hl1", l0+"/hl2"))
	must(t, os.Symlink("a/f", l0+"/link"))
	must(t, unix.Mkfifo(l0+"/fifo", 0o620))
	must(t, unix.Chmod(l0+"/fifo", 0o620))
	must(t, unix.Mknod(l0+"/null", unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
	writeFile(t, l0+"/x", "x\n", 0o644)
	must(t, unix.Lsetxattr(l0+"/x", "user.orig", []byte("1"), 0))
	writeFile(t, l0+"/del", "deleted later\n", 0o644)
	mkdir(t, l0+"/sticky", 0o1777)
	must(t, os.Lchown(l0+"/own", 1234, 5678))
	writeFile(t, l1+"/a/f", "hello from L1\n", 0o644)
	writeFile(t, l1+"/b", "b\n", 0o644)
	writeFile(t, l1+"/e/z", "ez\n", 0o644)
	writeFile(t, l1+"/e/w/v", "ewv\n", 0o644)
	must(t, unix.Lsetxattr(l1+"/e", "user.dir", []byte("e"), 0))
}

// commonOps changes the merged view at m the way a container would;
// xattrs says whether the filesystem takes xattrs at all.
func commonOps(t *testing.T, m string, xattrs bool) {
	must(t, os.Remove(m+"/del"))             // a file of L0
	must(t, os.Remove(m+"/b"))               // a file of L1
	must(t, os.RemoveAll(m+"/d"))            // rm -r of a lower dir ...
	mkdir(t, m+"/d", 0o750)                  // ... made again: opaque
	writeFile(t, m+"/d/new", "new\n", 0o644) //
	must(t, unix.Chmod(m+"/perm", 0o4755))   // setuid
	must(t, os.Lchown(m+"/own", 1000, 1001))
	must(t, os.Link(m+"/a/g", m+"/a/g2")) // hardlink (copies a/g up first)
	if xattrs {
		must(t, unix.Lsetxattr(m+"/x", "user.x", []byte("1"), 0))
		must(t, unix.Lsetxattr(m+"/x", "user.bin", []byte{0, 1, 2, 0xff}, 0))
	}
	f, err := os.OpenFile(m+"/a/f", os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString("more\n")
	must(t, err)
	must(t, f.Close())
	mkdir(t, m+"/newdir", 0o2775)
	writeFile(t, m+"/newdir/file", "file\n", 0o444)
	must(t, unix.Mkfifo(m+"/newdir/fifo", 0o600))
	must(t, os.Symlink("../a/f", m+"/newdir/ln"))
	must(t, os.Lchown(m+"/newdir/ln", 7, 8))
	must(t, os.RemoveAll(m+"/e")) // a whole dir of L1
	must(t, unix.Chmod(m+"/a/sub", 0o700))
	must(t, os.Remove(m+"/sticky"))
	mkdir(t, m+"/sticky", 0o1777) // rmdir + mkdir of an empty lower dir
}

// checkRoundTrip compares what the upper gives back with the merged view.
func checkRoundTrip(t *testing.T, s stackDirs, f Format, merged map[string]entry, skip func(string) bool) []byte {
	t.Helper()
	got, tarball := roundTrip(t, s.U, s.lowers(), f, skip)
	for _, d := range diffSnaps(merged, got) {
		t.Errorf("round trip differs from the merged view: %s", d)
	}
	return tarball
}

func TestOverlayRoundTrip(t *testing.T) {
	needRoot(t)
	s := newStackDirs(t)
	umount := mountOverlay(t, s.M, s.overlayOpts("index=off,redirect_dir=off,metacopy=off"))
	commonOps(t, s.M, true)
	// A user's xattr in overlay's own namespace is stored escaped.
	must(t, unix.Lsetxattr(s.M+"/x", "trusted.overlay.mine", []byte("v"), 0))
	merged := snapshot(t, s.M, nil)
	umount()
	if _, ok, _ := getXattr(s.U+"/x", "trusted.overlay.overlay.mine"); !ok {
		t.Errorf("the kernel did not store trusted.overlay.mine escaped")
	}
	tarball := checkRoundTrip(t, s, Overlay, merged, nil)
	var again bytes.Buffer
	must(t, Write(&again, s.U, s.lowers(), Overlay))
	if !bytes.Equal(again.Bytes(), tarball) {
		t.Errorf("Write is not deterministic")
	}
	names := tarNames(t, tarball)
	for _, want := range []string{"./", ".wh.del", ".wh.b", ".wh.e", "d/", "d/.wh..wh..opq", "a/g2", "perm"} {
		if !names[want] {
			t.Errorf("tar lacks %q; has %v", want, names)
		}
	}
	for n := range names {
		if strings.HasPrefix(n, "sub") || strings.Contains(n, "hl1") {
			t.Errorf("tar carries the untouched lower entry %q", n)
		}
	}
}

// tarNames lists a tar's entry names, with their type for links.
func tarNames(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		must(t, err)
		out[h.Name] = true
	}
}

func TestOverlayUserxattrRoundTrip(t *testing.T) {
	needRoot(t)
	s := newStackDirs(t)
	umount := mountOverlay(t, s.M, s.overlayOpts("userxattr"))
	commonOps(t, s.M, true)
	must(t, unix.Lsetxattr(s.M+"/x", "user.overlay.mine", []byte("v"), 0))
	merged := snapshot(t, s.M, nil)
	umount()
	checkRoundTrip(t, s, OverlayUserxattr, merged, nil)
}

func TestOverlayRedirectDirRoundTrip(t *testing.T) {
	needRoot(t)
	s := newStackDirs(t)
	umount := mountOverlay(t, s.M, s.overlayOpts("redirect_dir=on,index=off"))
	commonOps(t, s.M, true)
	must(t, os.Rename(s.M+"/a", s.M+"/a2"))           // merged from L1 and L0: relative redirect
	must(t, os.Rename(s.M+"/a2/sub", s.M+"/a2/sub2")) // nested, inside a redirected dir
	mkdir(t, s.M+"/top", 0o755)
	writeFile(t, s.L1+"/../unused", "", 0o644)
	must(t, os.Rename(s.M+"/d", s.M+"/top/d2")) // an opaque upper dir moves: no redirect needed
	must(t, os.Rename(s.M+"/sticky", s.M+"/top/sticky2"))
	writeFile(t, s.M+"/a2/added", "added\n", 0o644)
	must(t, os.Remove(s.M+"/a2/g2"))
	umount()
	// A second mount renames a redirected dir again: absolute redirects.
	umount = mountOverlay(t, s.M, s.overlayOpts("redirect_dir=on,index=off"))
	must(t, os.Rename(s.M+"/a2", s.M+"/top/a3"))
	merged := snapshot(t, s.M, nil)
	umount()
	if v, _, _ := getXattr(s.U+"/top/a3", "trusted.overlay.redirect"); v != "/a" {
		t.Errorf("top/a3 redirect = %q, want /a", v)
	}
	checkRoundTrip(t, s, Overlay, merged, nil)
}

func TestOverlayMetacopyRoundTrip(t *testing.T) {
	needRoot(t)
	s := newStackDirs(t)
	umount := mountOverlay(t, s.M, s.overlayOpts("redirect_dir=on,metacopy=on,index=off"))
	must(t, unix.Chmod(s.M+"/a/g", 0o600))             // metadata-only copy-up
	must(t, os.Lchown(s.M+"/perm", 42, 43))            // one more
	must(t, os.Rename(s.M+"/a/g", s.M+"/a/g-moved"))   // a metacopy file renamed: redirect
	must(t, os.Rename(s.M+"/a/sub", s.M+"/sub-moved")) // absolute redirect
	must(t, unix.Chmod(s.M+"/sub-moved/deep", 0o640))  // metacopy inside a redirected dir
	must(t, unix.Lsetxattr(s.M+"/x", "user.m", []byte("m"), 0))
	merged := snapshot(t, s.M, nil)
	umount()
	if _, ok, _ := getXattr(s.U+"/sub-moved/deep", "trusted.overlay.metacopy"); !ok {
		t.Fatalf("sub-moved/deep is no metacopy file: the test does not test metacopy")
	}
	checkRoundTrip(t, s, Overlay, merged, nil)
}

// An opaque mark set on an upper dir after the fact (offline) hides lower
// entries that the merged view showed: the round trip must show the
// difference, so that a comparison with the merged view catches it.
func TestOverlayOfflineOpaqueIsVisible(t *testing.T) {
	needRoot(t)
	s := newStackDirs(t)
	umount := mountOverlay(t, s.M, s.overlayOpts(""))
	writeFile(t, s.M+"/a/added", "added\n", 0o644) // makes a/ an upper dir
	merged := snapshot(t, s.M, nil)
	umount()
	must(t, unix.Lsetxattr(s.U+"/a", "trusted.overlay.opaque", []byte("y"), 0))
	got, _ := roundTrip(t, s.U, s.lowers(), Overlay, nil)
	diff := diffSnaps(merged, got)
	want := []string{"a/f: missing", "a/g: missing", "a/sub/deep: missing", "a/sub: missing"}
	if strings.Join(diff, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff of the round trip against the merged view:\n%s\nwant:\n%s", strings.Join(diff, "\n"), strings.Join(want, "\n"))
	}
}

func TestFuseOverlayfsRoundTrip(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("fuse-overlayfs"); err != nil {
		t.Skip("fuse-overlayfs is not installed (Debian package fuse-overlayfs)")
	}
	s := newStackDirs(t)
	umount := mountFuse(t, s.M, "fuse-overlayfs", "-f", "-o", s.overlayOpts(""), s.M)
	commonOps(t, s.M, true)
	// fuse-overlayfs refuses to rename a lower dir (EXDEV), as overlayfs
	// without redirect_dir does; mv then copies and removes.
	run(t, "mv", s.M+"/a", s.M+"/a2")
	umount()
	// The merged view to compare with is that of a second mount: the
	// first one's kernel keeps the mtime of a file written through it in
	// its writeback cache (coarse clock) and fuse-overlayfs stores the
	// time of its own write (fine clock) in the upper, so under load the
	// first mount shows an mtime the upper never holds. That is the
	// times suite's to report; this test is about the commit format.
	umount = mountFuse(t, s.M, "fuse-overlayfs", "-f", "-o", s.overlayOpts(""), s.M)
	merged := snapshot(t, s.M, nil)
	umount()
	checkRoundTrip(t, s, FuseOverlayfs, merged, nil)
}

// unionfs-fuse runs as the brief for layercheck runs it, and with use_ino.
// Without use_ino its inode numbers are per name, so the merged view shows
// no hardlinks (a/g and a/g2 have two numbers and a link count of 2): the
// link groups are compared only with use_ino. Debian's unionfs-fuse 1.0
// takes and shows no xattrs (EOPNOTSUPP), so they are left out.
func TestUnionfsFuseRoundTrip(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("unionfs-fuse"); err != nil {
		t.Skip("unionfs-fuse is not installed (Debian package unionfs-fuse)")
	}
	// Subtests are named without commas: overlay's option string (flatten)
	// cannot carry a path with one.
	for name, opts := range map[string]string{"brief": "cow,allow_other,hide_meta_files", "use_ino": "cow,allow_other,hide_meta_files,use_ino"} {
		t.Run(name, func(t *testing.T) {
			s := newStackDirs(t)
			umount := mountFuse(t, s.M, "unionfs-fuse", "-f", "-o", opts, s.U+"=RW:"+s.L1+"=RO:"+s.L0+"=RO", s.M)
			commonOps(t, s.M, false)
			// unionfs-fuse renames a lower dir by renaming what the upper
			// holds of it and hiding the old path: entries of the lower dir
			// never copied up are lost (L0/a/f untouched, then mv a a2:
			// a2/f is gone). Here the ops above copied all of a up; the
			// round trip must agree with the merged view either way.
			must(t, os.Rename(s.M+"/a", s.M+"/a2"))
			// The kernel caches attributes for 1 s (attr_timeout): a name
			// looked up before its copy-up would still show the lower's.
			time.Sleep(1100 * time.Millisecond)
			merged := comparable(snapshot(t, s.M, nil), opts)
			umount()
			got, _ := roundTrip(t, s.U, s.lowers(), UnionfsFuse, nil)
			for _, d := range diffSnaps(merged, comparable(got, opts)) {
				t.Errorf("round trip differs from the merged view: %s", d)
			}
		})
	}
}

// comparable drops what a unionfs-fuse mount with opts cannot show.
func comparable(m map[string]entry, opts string) map[string]entry {
	for p, e := range m {
		e.Xattrs = ""
		if !strings.Contains(opts, "use_ino") {
			e.Links = ""
		}
		m[p] = e
	}
	return m
}

// With index=on, a copied-up lower hardlink keeps its other lower names:
// the merged view shows them as names of the upper inode. The upper alone
// holds one name (and trusted.overlay.nlink); Write adds the others.
func TestOverlayIndexRoundTrip(t *testing.T) {
	needRoot(t)
	s := newStackDirs(t)
	umount := mountOverlay(t, s.M, s.overlayOpts("index=on,redirect_dir=on"))
	commonOps(t, s.M, true)
	must(t, unix.Chmod(s.M+"/hl1", 0o600)) // hl2 is a lower name of the same inode
	must(t, os.Link(s.M+"/hl2", s.M+"/newdir/hl3"))
	merged := snapshot(t, s.M, nil)
	umount()
	if e := merged["hl2"]; e.Mode != "0600" || e.Links != "hl1,hl2,newdir/hl3" {
		t.Fatalf("index=on did not keep hl1 and hl2 one inode: %+v", e)
	}
	checkRoundTrip(t, s, Overlay, merged, nil)
}
