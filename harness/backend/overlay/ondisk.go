package overlay

// OnDiskFormat implements backend.OnDiskFormatter: overlayfs.rst's format,
// its xattrs under user.overlay. with userxattr, trusted.overlay.
// otherwise. Every other option (redirect_dir, metacopy, index, xino,
// volatile) writes within the same format, which the reader resolves.
func (o *Overlay) OnDiskFormat() string {
	if o.option("userxattr") == "on" {
		return "overlay-userxattr"
	}
	return "overlay"
}

// ReadsLayersOf implements backend.LayerReader: its own format, and, in
// the trusted namespace, fuse-overlayfs's, which as root writes char 0/0
// whiteouts and trusted.overlay.opaque as overlayfs.rst describes them
// (its .wh..wh..opq files the kernel does not read: what a run finds).
func (o *Overlay) ReadsLayersOf(format string) bool {
	own := o.OnDiskFormat()
	return format == own || (own == "overlay" && format == "fuse-overlayfs")
}
