package fuseoverlayfs

// OnDiskFormat implements backend.OnDiskFormatter: fuse-overlayfs's
// format (char 0/0 or .wh.NAME whiteouts, opaque by xattr or
// .wh..wh..opq; no redirects, no metacopy).
func (f *FuseOverlayfs) OnDiskFormat() string { return "fuse-overlayfs" }

// ReadsLayersOf implements backend.LayerReader: its own format and kernel
// overlayfs's in the trusted namespace, which it reads (harness/commit's
// Format; the kernel's redirects it does not follow: what a run finds).
func (f *FuseOverlayfs) ReadsLayersOf(format string) bool {
	return format == "fuse-overlayfs" || format == "overlay"
}
