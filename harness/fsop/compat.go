package fsop

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/kernfeat"
	"golang.org/x/sys/unix"
)

// The fallbacks of this file do what fchmodat2 (Linux 6.6) and the *xattrat
// calls (6.13) do on kernels without them, the way glibc emulates
// fchmodat(AT_SYMLINK_NOFOLLOW): through the /proc/self/fd path of a
// descriptor the caller already holds, so the walk beneath the tree that
// opened it is not repeated and nothing outside it can be reached. A magic
// link lands exactly on its descriptor's file: a symlink held O_PATH is
// the symlink, not its target. kernfeat says which way to go (probed once;
// LAYERCHECK_PRETEND_MISSING forces the fallbacks, so they are tested on
// the newest kernel too).

// Fchmodat is fchmodat2(2): dirfd/name, or with AT_EMPTY_PATH and name ""
// dirfd itself, without following a symlink in name under
// AT_SYMLINK_NOFOLLOW.
func Fchmodat(dirfd int, name string, mode uint32, flags int) error {
	if kernfeat.Missing(kernfeat.Fchmodat2) {
		return fchmodatCompat(dirfd, name, mode, flags)
	}
	return fchmodat2(dirfd, name, mode, flags)
}

// procFD is the /proc path of descriptor fd: following it lands on fd's
// own file.
func procFD(fd int) string { return fmt.Sprintf("/proc/self/fd/%d", fd) }

// fchmodatCompat is Fchmodat with fchmodat(2) and chmod(2) on a procFD path.
// fchmodat2 refuses to change a symlink's mode with EOPNOTSUPP (the VFS
// allows no mode on symlinks since 6.6; older kernels would set it on some
// filesystems): the fallback refuses it the same way.
func fchmodatCompat(dirfd int, name string, mode uint32, flags int) error {
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return unix.EINVAL
	}
	if name != "" && flags&unix.AT_SYMLINK_NOFOLLOW == 0 {
		return unix.Fchmodat(dirfd, name, mode, 0) // plain fchmodat follows
	}
	fd := dirfd
	if name == "" && flags&unix.AT_EMPTY_PATH == 0 {
		return unix.ENOENT
	}
	if name != "" {
		var err error
		if fd, err = unix.Openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0); err != nil {
			return err
		}
		defer unix.Close(fd)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return unix.EOPNOTSUPP
	}
	return unix.Chmod(procFD(fd), mode)
}

// xattrPath is the path the l*xattr fallbacks act on for dirfd/name, and
// whether to follow it; "" for name "" (AT_EMPTY_PATH): the call is then on
// the descriptor itself, as the *xattrat calls make it (an O_PATH one gives
// EBADF there, as for f*xattr).
func xattrPath(dirfd int, name string, atFlags int) (string, bool, error) {
	if atFlags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return "", false, unix.EINVAL
	}
	if name == "" && atFlags&unix.AT_EMPTY_PATH == 0 {
		return "", false, unix.ENOENT
	}
	if name == "" {
		return "", false, nil
	}
	return ProcPath(dirfd, name), atFlags&unix.AT_SYMLINK_NOFOLLOW == 0, nil
}

// setxattratCompat is Setxattrat with lsetxattr/setxattr on a procFD path.
func setxattratCompat(dirfd int, name string, atFlags int, attr string, value []byte) error {
	p, follow, err := xattrPath(dirfd, name, atFlags)
	switch {
	case err != nil:
		return err
	case p == "":
		return unix.Fsetxattr(dirfd, attr, value, 0)
	case follow:
		return unix.Setxattr(p, attr, value, 0)
	}
	return unix.Lsetxattr(p, attr, value, 0)
}

// removexattratCompat is Removexattrat with lremovexattr/removexattr.
func removexattratCompat(dirfd int, name string, atFlags int, attr string) error {
	p, follow, err := xattrPath(dirfd, name, atFlags)
	switch {
	case err != nil:
		return err
	case p == "":
		return unix.Fremovexattr(dirfd, attr)
	case follow:
		return unix.Removexattr(p, attr)
	}
	return unix.Lremovexattr(p, attr)
}
