package fsop

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// TypeIn is the type of p in t ("" if absent), not following it.
func TypeIn(t *Tree, p string) string {
	var st unix.Stat_t
	err := t.WithParent(p, func(dfd int, base string) error {
		return unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	})
	if err != nil {
		return ""
	}
	return TypeOf(st.Mode)
}

// TypeOf names the file type of a stat mode as snapshots and findings
// spell it: file, dir, symlink, fifo, chardev, blockdev, socket.
func TypeOf(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return "file"
	case unix.S_IFDIR:
		return "dir"
	case unix.S_IFLNK:
		return "symlink"
	case unix.S_IFIFO:
		return "fifo"
	case unix.S_IFCHR:
		return "chardev"
	case unix.S_IFBLK:
		return "blockdev"
	case unix.S_IFSOCK:
		return "socket"
	}
	return fmt.Sprintf("type %o", mode&unix.S_IFMT)
}
