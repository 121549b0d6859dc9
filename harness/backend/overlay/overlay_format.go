package overlay

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/kernfeat"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// OverlayFormat is kernel overlayfs's on-disk format, as overlayfs.rst
// ("whiteouts and opaque directories", "Nesting overlayfs mounts")
// describes it:
//
//   - a whiteout is a character device 0/0, or (Xattr, kernels since 6.7) a
//     zero-size regular file with the xattr "overlay.whiteout" inside a
//     directory whose "overlay.opaque" is "x" (the kernel reads this form
//     in lower layers only, never in the upper nor the bottom layer);
//   - an opaque directory has "overlay.opaque" = "y";
//   - those names live under "trusted." ("user." with the userxattr
//     option, as rootless mounts use), and an xattr that a user sets in
//     that namespace through the mount is stored escaped with a second
//     "overlay." ("trusted.overlay.overlay.foo").
type OverlayFormat struct {
	Prefix string // "trusted.overlay." or "user.overlay."
	Xattr  bool   // xattr whiteouts instead of character devices
}

// WhiteoutFormat implements Extractable: "" (or "chardev") is the format
// overlayfs writes itself, "xattr" the alternative whiteouts.
func (o *Overlay) WhiteoutFormat(variant string) (backend.WhiteoutFormat, error) {
	f := &OverlayFormat{Prefix: o.XattrPrefix()}
	switch variant {
	case "", "chardev":
	case "xattr":
		if kernfeat.Missing(kernfeat.XattrWhiteouts) {
			return nil, &backend.EnvError{Msg: "layers with xattr whiteouts: this kernel's overlayfs does not read them (xattr-whiteouts, Linux 6.7; the form written here since 6.8-rc2 and 6.7.3)"}
		}
		f.Xattr = true
	default:
		return nil, fmt.Errorf("overlay has no whiteout format %q", variant)
	}
	return f, nil
}

// XattrPrefix is where this mount keeps its marks: "trusted.overlay.", or
// "user.overlay." with userxattr (as rootless mounts must). Known issues
// and expectations that read marks read them under this prefix.
func (o *Overlay) XattrPrefix() string {
	if o.option("userxattr") == "on" {
		return "user.overlay."
	}
	return "trusted.overlay."
}

// Name implements WhiteoutFormat.
func (f *OverlayFormat) Name() string {
	if f.Xattr {
		return "overlay xattr whiteouts (" + f.Prefix + "whiteout, opaque=x)"
	}
	return "overlay char 0/0 whiteouts, " + f.Prefix + "opaque=y"
}

// Whiteout implements WhiteoutFormat.
func (f *OverlayFormat) Whiteout(layer *fsop.Tree, rel string) error {
	if !f.Xattr {
		return layer.WithParent(rel, func(dfd int, base string) error {
			return unix.Mknodat(dfd, base, unix.S_IFCHR, 0)
		})
	}
	err := layer.WithParent(rel, func(dfd int, base string) error {
		fd, err := unix.Openat(dfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		return unix.Fsetxattr(fd, f.Prefix+"whiteout", nil, 0)
	})
	if err != nil {
		return err
	}
	// The directory that holds it says so: "x". An opaque one ("y") holds
	// no whiteouts (and would show this one as a file).
	parent := fsop.CleanRel(rel)
	if i := strings.LastIndexByte(parent, '/'); i >= 0 {
		parent = parent[:i]
	} else {
		parent = "."
	}
	return layer.WithParent(parent, func(dfd int, base string) error {
		buf := make([]byte, 8)
		n, gerr := getxattrat(dfd, base, f.Prefix+"opaque", buf)
		if gerr == nil && string(buf[:n]) == "y" {
			return fmt.Errorf("%s is opaque: a whiteout in it would show", parent)
		}
		return fsop.Setxattrat(dfd, base, unix.AT_SYMLINK_NOFOLLOW, f.Prefix+"opaque", []byte("x"))
	})
}

// Opaque implements WhiteoutFormat.
func (f *OverlayFormat) Opaque(layer *fsop.Tree, rel string) error {
	return layer.WithParent(rel, func(dfd int, base string) error {
		return fsop.Setxattrat(dfd, base, unix.AT_SYMLINK_NOFOLLOW, f.Prefix+"opaque", []byte("y"))
	})
}

// StoredXattr implements WhiteoutFormat.
func (f *OverlayFormat) StoredXattr(name string) string {
	if rest, ok := strings.CutPrefix(name, f.Prefix); ok {
		return f.Prefix + "overlay." + rest
	}
	return name
}

// getxattrat reads an xattr of dirfd/name without following a symlink.
func getxattrat(dirfd int, name, attr string, buf []byte) (int, error) {
	return unix.Lgetxattr(fsop.ProcPath(dirfd, name), attr, buf)
}

// matchRmdirXattrWhiteouts matches KnownRmdirXattrWhiteouts: an rmdir (or
// rm -rf, or a rename onto the directory) that gave ENOTEMPTY where the
// plain copy succeeded, on a directory that a lower layer of the mount
// marks as holding xattr whiteouts; and the directory that then stays,
// empty, in the merged view.
func matchRmdirXattrWhiteouts(f snapshot.Finding, ev *backend.Evidence) bool {
	switch f.Kind {
	case snapshot.KindErrno:
		if f.Merged != "ENOTEMPTY" || f.Reference != string(fsop.OK) || ev.Op == nil || len(ev.Stack) < 2 {
			return false
		}
		dir := ev.Op.Paths()[0]
		switch ev.Op.Kind() {
		case "remove", "remove-all":
		case "rename":
			dir = ev.Op.Paths()[1]
		default:
			return false
		}
		return xwhiteoutDirIn(ev.Stack[1:], dir)
	case snapshot.KindExtra:
		if ev.Merged == nil || ev.Merged.Entries[f.Path].Type != "dir" || f.Beneath != 0 {
			return false
		}
		return xwhiteoutDirIn(ev.Lowers, f.Path)
	}
	return false
}

// xwhiteoutDirIn reports whether one of layers holds p, or a directory
// beneath it, as a directory marked overlay.opaque="x" (in either
// namespace).
func xwhiteoutDirIn(layers []string, p string) bool {
	rel := fsop.CleanRel(p)
	for _, l := range layers {
		t, err := fsop.OpenTree(l)
		if err != nil {
			continue
		}
		found := false
		var walk func(rel string, depth int)
		walk = func(rel string, depth int) {
			if found || depth > 64 || fsop.TypeIn(t, rel) != "dir" {
				return
			}
			_ = t.WithParent(rel, func(dfd int, base string) error {
				buf := make([]byte, 8)
				for _, name := range []string{"trusted.overlay.opaque", "user.overlay.opaque"} {
					if n, err := getxattrat(dfd, base, name, buf); err == nil && string(buf[:n]) == "x" {
						found = true
					}
				}
				return nil
			})
			fd, err := t.OpenAt(rel, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
			if err != nil {
				return
			}
			names, _ := fsop.ReadNames(fd)
			unix.Close(fd)
			for _, n := range names {
				walk(fsop.Join(rel, n), depth+1)
			}
		}
		walk(rel, 0)
		t.Close()
		if found {
			return true
		}
	}
	return false
}
