// Package fuseoverlayfs is fuse-overlayfs as a layercheck backend: the
// daemon runs in the foreground under the run's supervision
// (harness/internal/daemon), layers use the kernel overlay's on-disk
// format plus its own opaque marker, and the only expectations are what
// its README and man page document (squash_to_* ownership) and the EXDEV
// of a lower directory rename, which it shares with kernel overlay
// without redirect_dir.
package fuseoverlayfs
