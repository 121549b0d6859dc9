package unionfs

// OnDiskFormat implements backend.OnDiskFormatter: unionfs-fuse's cow
// format (.unionfs-fuse/PATH_HIDDEN~ markers).
func (u *UnionfsFuse) OnDiskFormat() string { return "unionfs-fuse" }

// ReadsLayersOf implements backend.LayerReader: its own format only.
func (u *UnionfsFuse) ReadsLayersOf(format string) bool { return format == "unionfs-fuse" }
