package ovlformat

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
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

// SameFormat implements backend.SameFormatter: any OverlayFormat (either
// namespace, either whiteout form) is overlayfs's format.
func (f *OverlayFormat) SameFormat(other backend.WhiteoutFormat) bool {
	_, ok := other.(*OverlayFormat)
	return ok
}
