// Package ovlformat is the on-disk format of overlayfs, which kernel
// overlayfs, fuse-overlayfs and the control backend share: how a layer
// records a whiteout and an opaque directory, how a stored xattr is
// escaped, and the lookup through a stack of such layers that decides
// whether a directory is a lower or merged one (the rename(2) EXDEV of the
// design without redirect_dir). Backends import it; no backend imports
// another for it.
package ovlformat
