package modern

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

func xattrAt(mfd int, name, x string) (string, error) {
	fd, err := unix.Openat(mfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	b := make([]byte, 256)
	n, err := unix.Fgetxattr(fd, x, b)
	if err != nil {
		return "", err
	}
	return string(b[:n]), nil
}

// An escaped xattr of a lower reads unescaped through the mount, and one
// set through the mount is stored escaped in the upper.
func checkEscapedXattrsBothWays(t *T) {
	needRoot(t)
	d := dirs(t, "lower", "lower2", "upper", "work")
	f := filepath.Join(d["lower"], "f")
	write(t, f, "f\n", 0o644)
	setx(t, f, "trusted.overlay.overlay.metacopy", "")
	setx(t, f, "trusted.overlay.overlay.custom", "v")
	mfd := mustMount(t, str("lowerdir+", d["lower"]), str("lowerdir+", d["lower2"]), str("upperdir", d["upper"]), str("workdir", d["work"]))
	if got, err := xattrAt(mfd, "f", "trusted.overlay.custom"); got != "v" || err != nil {
		t.Errorf("trusted.overlay.overlay.custom of a lower reads %q %v through the mount, want trusted.overlay.custom=v: %s", got, err, citeNesting)
	}
	if got, _ := readAt(mfd, "f"); got != "f\n" {
		t.Errorf("a file with an escaped metacopy xattr reads %q: the escaped xattr must not act", got)
	}
	fd, err := unix.Openat(mfd, "new", unix.O_CREAT|unix.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	err = unix.Fsetxattr(fd, "trusted.overlay.whiteout", nil, 0)
	unix.Close(fd)
	if err != nil {
		t.Fatalf("set trusted.overlay.whiteout through the mount: %v (%s)", err, citeNesting)
	}
	b := make([]byte, 8)
	if _, err := unix.Lgetxattr(filepath.Join(d["upper"], "new"), "trusted.overlay.overlay.whiteout", b); err != nil {
		t.Errorf("upper/new lacks trusted.overlay.overlay.whiteout (%v): an xattr set through the mount must be stored escaped: %s", err, citeNesting)
	}
	if names, _ := listAt(mfd, "."); !contains(names, "new") {
		t.Errorf("a file given trusted.overlay.whiteout through the mount vanished: %v", names)
	}
}

// xwhiteoutLayers lays out a lower with d/gone and d/kept and, above it, a
// layer whose d holds an xwhiteout for gone: a zero-size file carrying
// prefix+"whiteout", its directory marked with dirMark=dirVal.
func xwhiteoutLayers(t *T, prefix, dirMark, dirVal string) map[string]string {
	d := dirs(t, "top", "bottom")
	write(t, filepath.Join(d["bottom"], "d/gone"), "gone\n", 0o644)
	write(t, filepath.Join(d["bottom"], "d/kept"), "kept\n", 0o644)
	wo := filepath.Join(d["top"], "d/gone")
	write(t, wo, "", 0o644)
	setx(t, wo, prefix+"whiteout", "")
	setx(t, filepath.Join(d["top"], "d"), prefix+dirMark, dirVal)
	return d
}

// Layers written with xwhiteouts hide the name. Two formats exist: 6.8's
// (and 6.7.3's) opaque=x on the directory, which overlayfs.rst documents,
// and 6.7.0's whiteouts xattr on the directory; the test records which
// this kernel reads.
func checkXwhiteoutFormats(t *T) {
	needRoot(t)
	for _, f := range []struct{ name, mark, val string }{{"opaque=x (6.8)", "opaque", "x"}, {"whiteouts (6.7.0)", "whiteouts", ""}} {
		d := xwhiteoutLayers(t, "trusted.overlay.", f.mark, f.val)
		mfd := mustMount(t, str("lowerdir+", d["top"]), str("lowerdir+", d["bottom"]))
		names, _ := listAt(mfd, "d")
		_, err := statAt(mfd, "d/gone")
		hidden := !contains(names, "gone") && err != nil && contains(names, "kept")
		t.Logf("xwhiteout format %s: kernel %s hides the name: %v (d lists %v)", f.name, kernelRelease(), hidden, names)
		if f.mark == "opaque" && !hidden {
			t.Errorf("xwhiteout in a directory with opaque=x: d lists %v, lookup of gone %v: want gone hidden, kept shown: %s", names, err, citeNesting)
		}
	}
}

// An inner overlay's xwhiteouts stored escaped in its layer act in an
// outer overlay stacked on the inner one (the inner strips one prefix),
// not in the inner.
func checkEscapedXwhiteoutActsOneLevelUp(t *T) {
	needRoot(t)
	d := xwhiteoutLayers(t, "trusted.overlay.overlay.", "opaque", "x")
	extra := dirs(t, "inner-bottom", "outer-bottom")
	os.MkdirAll(filepath.Join(extra["inner-bottom"], "d"), 0o755)
	inner := mustMount(t, str("lowerdir+", d["top"]), str("lowerdir+", extra["inner-bottom"]))
	if names, _ := listAt(inner, "d"); !contains(names, "gone") {
		t.Errorf("inner overlay lists d as %v: an escaped xwhiteout is a plain file there: %s", names, citeNesting)
	}
	write(t, filepath.Join(extra["outer-bottom"], "d/gone"), "gone\n", 0o644)
	outer, err := detached(setting{key: "lowerdir+", fd: inner}, str("lowerdir+", extra["outer-bottom"]))
	if err != nil {
		t.Skipf("outer overlay with the inner one as a layer by descriptor: %v (%s)", err, citeByFD)
	}
	defer unix.Close(outer)
	if names, _ := listAt(outer, "d"); contains(names, "gone") {
		t.Errorf("outer overlay lists d as %v: the inner's escaped xwhiteout must hide gone there: %s", names, citeNesting)
	}
}
