package fuseoverlayfs

import (
	"fmt"
	"path"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// FuseOverlayfsFormat is what fuse-overlayfs itself writes (seen on 1.10):
// a whiteout is a character device 0/0; an opaque directory has
// trusted.overlay.opaque="y" and holds the marker .wh..wh..opq (an empty
// file), which fuse-overlayfs also reads without the xattr.
type FuseOverlayfsFormat struct{}

// WhiteoutFormat implements Extractable: only the format fuse-overlayfs
// writes itself.
func (f *FuseOverlayfs) WhiteoutFormat(variant string) (backend.WhiteoutFormat, error) {
	if variant != "" && variant != "chardev" {
		return nil, fmt.Errorf("fuse-overlayfs has no whiteout format %q", variant)
	}
	return FuseOverlayfsFormat{}, nil
}

// Name implements WhiteoutFormat.
func (FuseOverlayfsFormat) Name() string {
	return "fuse-overlayfs char 0/0 whiteouts, trusted.overlay.opaque=y plus .wh..wh..opq"
}

// Whiteout implements WhiteoutFormat.
func (FuseOverlayfsFormat) Whiteout(layer *fsop.Tree, rel string) error {
	return layer.WithParent(rel, func(dfd int, base string) error {
		return unix.Mknodat(dfd, base, unix.S_IFCHR, 0)
	})
}

// FuseOverlayfsOpaqueMarker is the file fuse-overlayfs puts in an opaque
// directory.
const FuseOverlayfsOpaqueMarker = ".wh..wh..opq"

// Opaque implements WhiteoutFormat.
func (FuseOverlayfsFormat) Opaque(layer *fsop.Tree, rel string) error {
	err := layer.WithParent(rel, func(dfd int, base string) error {
		return fsop.Setxattrat(dfd, base, unix.AT_SYMLINK_NOFOLLOW, "trusted.overlay.opaque", []byte("y"))
	})
	if err != nil {
		return err
	}
	return layer.WithParent(path.Join(fsop.CleanRel(rel), FuseOverlayfsOpaqueMarker), func(dfd int, base string) error {
		fd, err := unix.Openat(dfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o700)
		if err != nil {
			return err
		}
		return unix.Close(fd)
	})
}

// StoredXattr implements WhiteoutFormat: fuse-overlayfs stores a user's
// xattrs under their own names.
func (FuseOverlayfsFormat) StoredXattr(name string) string { return name }

// SameFormat implements backend.SameFormatter.
func (FuseOverlayfsFormat) SameFormat(other backend.WhiteoutFormat) bool {
	_, ok := other.(FuseOverlayfsFormat)
	return ok
}
