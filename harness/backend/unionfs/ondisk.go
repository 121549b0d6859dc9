package unionfs

// OnDiskFormat implements backend.OnDiskFormatter: unionfs-fuse's cow
// format (.unionfs-fuse/PATH_HIDDEN~ markers).
func (u *UnionfsFuse) OnDiskFormat() string { return "unionfs-fuse" }
