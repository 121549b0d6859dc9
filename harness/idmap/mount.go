package idmap

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Clone returns a detached clone of the directory src (not the mounts
// beneath it) with the namespace's mapping set on it.
func (u *Userns) Clone(src string) (int, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return -1, &Error{Op: "open_tree", Path: src, Errno: errnoOf(err)}
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(u.Fd())}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		unix.Close(fd)
		return -1, &Error{Op: "mount_setattr(MOUNT_ATTR_IDMAP)", Path: src, Errno: errnoOf(err)}
	}
	return fd, nil
}

// Attach mounts src at target through the mapping: a detached clone made
// idmapped, then moved onto target. Unmount it with unix.Unmount.
func (u *Userns) Attach(src, target string) error {
	fd, err := u.Clone(src)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.MoveMount(fd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return &Error{Op: "move_mount", Path: target, Errno: errnoOf(err)}
	}
	return nil
}

// Error is a system call of the mechanism that failed, with what the
// kernel's errno means for it.
type Error struct {
	Op, Path string
	Errno    unix.Errno
}

func (e *Error) Error() string {
	why := ""
	switch {
	case e.Op == "mount_setattr(MOUNT_ATTR_IDMAP)" && e.Errno == unix.EINVAL:
		why = " (the filesystem does not support idmapped mounts)"
	case e.Errno == unix.ENOSYS:
		why = " (the kernel has no mount API: Linux 5.12 or later needed)"
	case e.Errno == unix.EPERM:
		why = " (not privileged over the filesystem or the namespace)"
	}
	return fmt.Sprintf("%s %s: %v%s", e.Op, e.Path, e.Errno, why)
}

func errnoOf(err error) unix.Errno {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return unix.EIO
}
