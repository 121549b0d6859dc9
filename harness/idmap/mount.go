package idmap

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Clone returns a detached clone of the directory src (not the mounts
// beneath it) with the namespace's mapping set on it. atimeOf, if not "",
// is a path whose mount's atime policy the clone takes (the harness binds
// a scenario's directory with its own policy; the clone of a raw path
// would otherwise have the scratch's).
func (u *Userns) Clone(src, atimeOf string) (int, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return -1, &Error{Op: "open_tree", Path: src, Errno: errnoOf(err)}
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(u.Fd())}
	if atimeOf != "" {
		attr.Attr_set |= atimePolicy(atimeOf)
		attr.Attr_clr |= unix.MOUNT_ATTR__ATIME
	}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		unix.Close(fd)
		return -1, &Error{Op: "mount_setattr(MOUNT_ATTR_IDMAP)", Path: src, Errno: errnoOf(err)}
	}
	return fd, nil
}

// Attach mounts src at target through the mapping: a detached clone made
// idmapped, then moved onto target. Unmount it with unix.Unmount.
func (u *Userns) Attach(src, target, atimeOf string) error {
	fd, err := u.Clone(src, atimeOf)
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

// atimePolicy is the MOUNT_ATTR_ atime value of the mount p lies on.
func atimePolicy(p string) uint64 {
	var st unix.Statfs_t
	if unix.Statfs(p, &st) != nil {
		return unix.MOUNT_ATTR_RELATIME
	}
	switch {
	case st.Flags&unix.ST_NOATIME != 0:
		return unix.MOUNT_ATTR_NOATIME
	case st.Flags&unix.ST_RELATIME != 0:
		return unix.MOUNT_ATTR_RELATIME
	}
	return unix.MOUNT_ATTR_STRICTATIME
}
