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
