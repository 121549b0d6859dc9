package kernfeat

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// hasXattrWhiteouts mounts a real overlay of two lower layers, the top one
// holding a directory marked "trusted.overlay.opaque" = "x" with a zero-size
// file marked "trusted.overlay.whiteout" over a file of the bottom one, and
// looks whether the file is hidden (overlayfs.rst, "Whiteouts and opaque
// directories": 6.7, in this form since 6.8-rc2, backported to 6.7.3). The
// layers live on a tmpfs and the overlay is a detached mount (fsmount
// without move_mount): nothing is ever attached, closing frees both. The
// one "lowerdir" string suits old and new parsers alike. A stack the probe
// cannot build or mount counts as missing: layers in this format on a
// kernel that may not read them would give false findings. (Debian's 6.1
// refuses the probe's mount with EINVAL, logging "failed to clone
// lowerpath": the probe runs only on demand, for extract-xattr.)
func hasXattrWhiteouts() bool { return xwhiteoutHides(true) }

// xwhiteoutHides builds the probe's stack (with the whiteout's own xattr
// or, to test the probe, without it) and reports whether f is hidden.
func xwhiteoutHides(mark bool) bool {
	tmp, err := detachedTmpfs()
	if err != nil {
		return false
	}
	defer unix.Close(tmp)
	for _, step := range []func() error{
		func() error { return unix.Mkdirat(tmp, "top", 0o755) },
		func() error { return unix.Mkdirat(tmp, "top/d", 0o755) },
		func() error { return unix.Mkdirat(tmp, "bottom", 0o755) },
		func() error { return unix.Mkdirat(tmp, "bottom/d", 0o755) },
		func() error { return touch(tmp, "bottom/d/f") },
		func() error { return touch(tmp, "top/d/f") },
		func() error { return xattrAt(tmp, "top/d", "trusted.overlay.opaque", "x") },
		func() error {
			if !mark {
				return nil
			}
			return xattrAt(tmp, "top/d/f", "trusted.overlay.whiteout", "")
		},
	} {
		if step() != nil {
			return false
		}
	}
	fs, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return false
	}
	defer unix.Close(fs)
	lower := fmt.Sprintf("/proc/self/fd/%d/top:/proc/self/fd/%d/bottom", tmp, tmp)
	if unix.FsconfigSetString(fs, "lowerdir", lower) != nil || unix.FsconfigCreate(fs) != nil {
		return false
	}
	mnt, err := unix.Fsmount(fs, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY)
	if err != nil {
		return false
	}
	defer unix.Close(mnt)
	var st unix.Stat_t
	return unix.Fstatat(mnt, "d/f", &st, unix.AT_SYMLINK_NOFOLLOW) == unix.ENOENT
}

// detachedTmpfs makes a tmpfs attached nowhere and returns its root.
func detachedTmpfs() (int, error) {
	fs, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, err
	}
	defer unix.Close(fs)
	if err := unix.FsconfigCreate(fs); err != nil {
		return -1, err
	}
	return unix.Fsmount(fs, unix.FSMOUNT_CLOEXEC, 0)
}

func touch(dirfd int, name string) error {
	fd, err := unix.Openat(dirfd, name, unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	if err == nil {
		unix.Close(fd)
	}
	return err
}

func xattrAt(dirfd int, name, attr, value string) error {
	return unix.Lsetxattr(fmt.Sprintf("/proc/self/fd/%d/%s", dirfd, name), attr, []byte(value), 0)
}
