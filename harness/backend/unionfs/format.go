package unionfs

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// UnionfsFuseFormat is unionfs-fuse's metadata (its man page, "Meta data";
// the directory is .unionfs-fuse in 1.0): a deleted path P of the layers
// below is the file .unionfs-fuse/P_HIDDEN~ at the root of the layer that
// deletes it. There is no opaque marker: a directory that hides the
// layers' entries beneath it is one whose path is also marked hidden
// while the layer holds the directory itself, which is what unionfs-fuse
// writes for rm -r d; mkdir d.
type UnionfsFuseFormat struct{}

// WhiteoutFormat implements Extractable.
func (u *UnionfsFuse) WhiteoutFormat(variant string) (backend.WhiteoutFormat, error) {
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
func hiddenMarker(layer *fsop.Tree, rel string) error {
	rel = fsop.CleanRel(rel)
	parts := strings.Split(rel, "/")
	if last := parts[len(parts)-1]; len(last)+len(unionfsHiddenSuffix) > 255 {
		return fmt.Errorf("unionfs-fuse's format cannot record the deletion of %q: with %s the name exceeds NAME_MAX (255 bytes)", last, unionfsHiddenSuffix)
	}
	dir := UnionfsMetaDir
	for _, p := range append([]string{""}, parts[:len(parts)-1]...) {
		if p != "" {
			dir = dir + "/" + p
		}
		err := layer.WithParent(dir, func(dfd int, base string) error {
			if err := unix.Mkdirat(dfd, base, 0o755); err != nil && err != unix.EEXIST {
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return layer.WithParent(dir+"/"+parts[len(parts)-1]+unionfsHiddenSuffix, func(dfd int, base string) error {
		fd, err := unix.Openat(dfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return err
		}
		return unix.Close(fd)
	})
}

const unionfsHiddenSuffix = "_HIDDEN~"

// Whiteout implements WhiteoutFormat.
func (UnionfsFuseFormat) Whiteout(layer *fsop.Tree, rel string) error {
	return hiddenMarker(layer, rel)
}

// Opaque implements WhiteoutFormat.
func (UnionfsFuseFormat) Opaque(layer *fsop.Tree, rel string) error { return hiddenMarker(layer, rel) }

// StoredXattr implements WhiteoutFormat (unionfs-fuse stores no xattrs of
// its own).
func (UnionfsFuseFormat) StoredXattr(name string) string { return name }

// SameFormat implements backend.SameFormatter.
func (UnionfsFuseFormat) SameFormat(other backend.WhiteoutFormat) bool {
	_, ok := other.(UnionfsFuseFormat)
	return ok
}
