package layout

// ImageTimes says, for a layout whose sealed layers are images that
// cannot keep an inode's three timestamps, what they keep ("" when they
// keep all three): an erofs inode stores one mtime, which the kernel
// reports as atime and ctime too (erofs-utils 1.5 with --preserve-mtime);
// a squashfs inode one mtime in whole seconds. Timestamp scenarios skip
// there: every difference would be the image format's, not the union's.
func ImageTimes(n Name) string {
	switch n {
	case EROFS, Composefs:
		return "an erofs image keeps one timestamp per inode (mtime, also reported as atime and ctime)"
	case Squashfs:
		return "a squashfs image keeps one timestamp per inode (mtime, in whole seconds)"
	}
	return ""
}
