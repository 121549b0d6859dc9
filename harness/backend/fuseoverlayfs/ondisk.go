package fuseoverlayfs

// OnDiskFormat implements backend.OnDiskFormatter: fuse-overlayfs's
// format (char 0/0 or .wh.NAME whiteouts, opaque by xattr or
// .wh..wh..opq; no redirects, no metacopy).
func (f *FuseOverlayfs) OnDiskFormat() string { return "fuse-overlayfs" }
