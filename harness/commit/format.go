package commit

import (
	"fmt"
	"strings"
)

// Format says how an upper directory (and each lower layer) records
// deletions, opaque directories, renamed directories and metadata-only
// copy-ups, and which extended attributes are the filesystem's own.
type Format string

// The formats of the filesystems layercheck drives.
const (
	// Overlay is kernel overlayfs with trusted.overlay.* xattrs
	// (overlayfs.rst): a whiteout is a character device 0/0, or a
	// zero-size regular file with the xattr overlay.whiteout inside a
	// directory whose overlay.opaque is "x" (kernels since 6.7); an opaque
	// directory has overlay.opaque="y"; a renamed directory (redirect_dir)
	// has overlay.redirect, absolute from the layer root ("/a/b") or a
	// name in the same parent ("b"); a metadata-only copy-up (metacopy)
	// has overlay.metacopy and takes its data from the lower that its
	// redirect, or else its own path, names. The overlay.* xattrs are
	// private; an xattr a user set in that namespace is stored escaped
	// (trusted.overlay.overlay.X) and shows as trusted.overlay.X.
	Overlay Format = "overlay"
	// OverlayUserxattr is Overlay under user.overlay.* (the userxattr
	// mount option, as rootless mounts use).
	OverlayUserxattr Format = "overlay-userxattr"
	// FuseOverlayfs is fuse-overlayfs (read from its main.c): a whiteout
	// is a character device 0/0 or a file ".wh.NAME" beside NAME; a
	// directory is opaque when its trusted.overlay.opaque,
	// user.overlay.opaque or user.fuseoverlayfs.opaque (the first one set)
	// is "y", or, with none of them set, when it holds ".wh..wh..opq".
	// The xattrs under user.fuseoverlayfs., trusted.overlay. and
	// user.overlay. are private. It has no redirects and no metacopy: it
	// copies a renamed directory whole.
	FuseOverlayfs Format = "fuse-overlayfs"
	// UnionfsFuse is unionfs-fuse in cow mode: a path P of the layers
	// below that the layer deletes is recorded as .unionfs-fuse/P_HIDDEN~
	// (a file or a directory) at the layer's root. There is no opaque
	// marker: a directory the layer holds while its path is also marked
	// hidden shows nothing of the layers below. The .unionfs-fuse
	// directory is metadata, not content.
	UnionfsFuse Format = "unionfs-fuse"
)

// Formats lists the known formats, for command-line help.
func Formats() []Format { return []Format{Overlay, OverlayUserxattr, FuseOverlayfs, UnionfsFuse} }

// ParseFormat returns the Format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown upper format %q (known: overlay, overlay-userxattr, fuse-overlayfs, unionfs-fuse)", s)
}

func (f Format) valid() error {
	_, err := ParseFormat(string(f))
	return err
}

// ovlPrefix is the private namespace of the overlay formats ("" for the
// others).
func (f Format) ovlPrefix() string {
	switch f {
	case Overlay:
		return "trusted.overlay."
	case OverlayUserxattr:
		return "user.overlay."
	}
	return ""
}

// isOverlay reports whether f is kernel overlayfs (either namespace):
// the formats with redirects, metacopy and xattr whiteouts.
func (f Format) isOverlay() bool { return f.ovlPrefix() != "" }

// fuseOverlayfsPrivate are the prefixes fuse-overlayfs hides from
// listxattr (can_access_xattr in its main.c).
var fuseOverlayfsPrivate = []string{"user.fuseoverlayfs.", "trusted.overlay.", "user.overlay."}

// visibleXattr maps the name of an xattr stored in a layer to the name the
// merged view shows it under; ok is false for the format's private
// xattrs, which the merged view hides and a layer tar must not carry.
func (f Format) visibleXattr(stored string) (name string, ok bool) {
	switch f {
	case Overlay, OverlayUserxattr:
		p := f.ovlPrefix()
		rest, own := strings.CutPrefix(stored, p)
		if !own {
			return stored, true
		}
		// The kernel (fs/overlayfs/xattrs.c) lists an escaped name
		// without its "overlay." and hides every other own name.
		if unesc, esc := strings.CutPrefix(rest, "overlay."); esc {
			return p + unesc, true
		}
		return "", false
	case FuseOverlayfs:
		for _, p := range fuseOverlayfsPrivate {
			if strings.HasPrefix(stored, p) {
				return "", false
			}
		}
	}
	return stored, true
}
