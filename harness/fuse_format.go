package harness

import (
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// On-disk formats of the FUSE backends, for --build extract (extract.go):
// layers written without a mount, as an image extractor would.

// FuseOverlayfsFormat is what fuse-overlayfs itself writes (seen on 1.10):
// a whiteout is a character device 0/0; an opaque directory has
// trusted.overlay.opaque="y" and holds the marker .wh..wh..opq (an empty
// file), which fuse-overlayfs also reads without the xattr.
type FuseOverlayfsFormat struct{}

// WhiteoutFormat implements Extractable: only the format fuse-overlayfs
// writes itself.
func (f *FuseOverlayfs) WhiteoutFormat(variant string) (WhiteoutFormat, error) {
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
func (FuseOverlayfsFormat) Whiteout(layer *Tree, rel string) error {
	return layer.withParent(rel, func(dfd int, base string) error {
		return unix.Mknodat(dfd, base, unix.S_IFCHR, 0)
	})
}

// FuseOverlayfsOpaqueMarker is the file fuse-overlayfs puts in an opaque
// directory.
const FuseOverlayfsOpaqueMarker = ".wh..wh..opq"

// Opaque implements WhiteoutFormat.
func (FuseOverlayfsFormat) Opaque(layer *Tree, rel string) error {
	err := layer.withParent(rel, func(dfd int, base string) error {
		return setxattrat(dfd, base, unix.AT_SYMLINK_NOFOLLOW, "trusted.overlay.opaque", []byte("y"))
	})
	if err != nil {
		return err
	}
	return layer.withParent(path.Join(cleanRel(rel), FuseOverlayfsOpaqueMarker), func(dfd int, base string) error {
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

// UnionfsFuseFormat is unionfs-fuse's metadata (its man page, "Meta data";
// the directory is .unionfs-fuse in 1.0): a deleted path P of the layers
// below is the file .unionfs-fuse/P_HIDDEN~ at the root of the layer that
// deletes it. There is no opaque marker: a directory that hides the
// layers' entries beneath it is one whose path is also marked hidden
// while the layer holds the directory itself, which is what unionfs-fuse
// writes for rm -r d; mkdir d.
type UnionfsFuseFormat struct{}

// WhiteoutFormat implements Extractable.
func (u *UnionfsFuse) WhiteoutFormat(variant string) (WhiteoutFormat, error) {
	if variant != "" {
		return nil, fmt.Errorf("unionfs-fuse has no whiteout format %q", variant)
	}
	return UnionfsFuseFormat{}, nil
}

// Name implements WhiteoutFormat.
func (UnionfsFuseFormat) Name() string {
	return "unionfs-fuse " + UnionfsMetaDir + "/P_HIDDEN~ markers"
}

// hiddenMarker writes U/.unionfs-fuse/P_HIDDEN~ for rel, making the
// directories above it in the metadata tree.
func hiddenMarker(layer *Tree, rel string) error {
	rel = cleanRel(rel)
	parts := strings.Split(rel, "/")
	if last := parts[len(parts)-1]; len(last)+len(unionfsHiddenSuffix) > 255 {
		return fmt.Errorf("unionfs-fuse's format cannot record the deletion of %q: with %s the name exceeds NAME_MAX (255 bytes)", last, unionfsHiddenSuffix)
	}
	dir := UnionfsMetaDir
	for _, p := range append([]string{""}, parts[:len(parts)-1]...) {
		if p != "" {
			dir = dir + "/" + p
		}
		err := layer.withParent(dir, func(dfd int, base string) error {
			if err := unix.Mkdirat(dfd, base, 0o755); err != nil && err != unix.EEXIST {
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return layer.withParent(dir+"/"+parts[len(parts)-1]+unionfsHiddenSuffix, func(dfd int, base string) error {
		fd, err := unix.Openat(dfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return err
		}
		return unix.Close(fd)
	})
}

const unionfsHiddenSuffix = "_HIDDEN~"

// Whiteout implements WhiteoutFormat.
func (UnionfsFuseFormat) Whiteout(layer *Tree, rel string) error { return hiddenMarker(layer, rel) }

// Opaque implements WhiteoutFormat.
func (UnionfsFuseFormat) Opaque(layer *Tree, rel string) error { return hiddenMarker(layer, rel) }

// StoredXattr implements WhiteoutFormat (unionfs-fuse stores no xattrs of
// its own).
func (UnionfsFuseFormat) StoredXattr(name string) string { return name }
