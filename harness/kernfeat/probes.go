package kernfeat

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// System call numbers (the same on every architecture since 424).
const (
	sysProcessMrelease = 448 // Linux 5.15
	sysFchmodat2       = 452 // Linux 6.6
	sysSetxattrat      = 463 // Linux 6.13
	sysRemovexattrat   = 466 // Linux 6.13
)

// badFlag is a flag no kernel defines: a system call that exists refuses
// it (EINVAL) before touching anything; one that does not says ENOSYS.
const badFlag = 1 << 30

// exists calls a system call with arguments it must refuse and tells
// ENOSYS (not there) from any other answer (there; a seccomp filter's
// EPERM counts as there: the harness then meets the filter's errno itself).
func exists(nr uintptr, args ...uintptr) bool {
	var a [6]uintptr
	copy(a[:], args)
	_, _, e := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	return e != unix.ENOSYS
}

var empty = [1]byte{}

// atFDCWD is AT_FDCWD as a system call argument.
var atFDCWD = func() uintptr { fd := unix.AT_FDCWD; return uintptr(fd) }()

func hasFchmodat2() bool {
	// fchmodat2(AT_FDCWD, "", 0, badFlag): EINVAL from its flag check.
	return exists(sysFchmodat2, atFDCWD, uintptr(unsafe.Pointer(&empty[0])), 0, badFlag)
}

func hasXattrat() bool {
	// setxattrat with a zero-size struct xattr_args and removexattrat with
	// an unknown flag: EINVAL from their argument checks.
	return exists(sysSetxattrat, atFDCWD, uintptr(unsafe.Pointer(&empty[0])), 0, uintptr(unsafe.Pointer(&empty[0])), 0, 0) &&
		exists(sysRemovexattrat, atFDCWD, uintptr(unsafe.Pointer(&empty[0])), badFlag, uintptr(unsafe.Pointer(&empty[0])))
}

// hasLowerdirPlus sets "lowerdir+" on a real overlay fs context.
func hasLowerdirPlus() bool { return overlayTakes("lowerdir+") }

// hasDatadirPlus sets "datadir+" after one "lowerdir+".
func hasDatadirPlus() bool { return overlayTakes("lowerdir+", "datadir+") }

// overlayTakes reports whether overlayfs's own parameter parser accepts
// each of keys (with "/" as the layer) on a fresh fs context. Kernels
// before 6.5 parse overlay's options as one legacy string: there fsconfig
// takes any key and the refusal comes only at FSCONFIG_CMD_CREATE, with a
// line in the kernel log. So a key nobody defines tells the legacy parser
// (which takes it) from overlayfs's own (which refuses it on the context's
// log, not the kernel's), and no probe ever creates the superblock.
// Where overlay cannot be opened at all the answer is yes: the mount then
// fails with the kernel's own reason.
func overlayTakes(keys ...string) bool {
	fd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return true
	}
	defer unix.Close(fd)
	for _, k := range keys {
		if unix.FsconfigSetString(fd, k, "/") != nil {
			return false
		}
	}
	return unix.FsconfigSetString(fd, "layercheck-probe-no-such-key", "x") != nil
}

// hasTmpfsUserXattr sets a user.* xattr on a file of a tmpfs that is never
// attached anywhere (fsmount without move_mount): closing the descriptors
// frees it.
func hasTmpfsUserXattr() bool {
	mnt, err := detachedTmpfs() // xwhiteout.go
	if err != nil {
		return true // no tmpfs to judge: the scratch mount reports why
	}
	defer unix.Close(mnt)
	f, err := unix.Openat(mnt, "probe", unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return true
	}
	defer unix.Close(f)
	err = unix.Fsetxattr(f, "user.layercheck.probe", []byte("v"), 0)
	return err != unix.EOPNOTSUPP
}

// hasTmpfsCasefold creates a tmpfs with "casefold=utf8" on an fs context
// that is never mounted: a kernel without CONFIG_UNICODE (or before 6.13)
// refuses the key on the context's own log, not the kernel's.
func hasTmpfsCasefold() bool {
	fd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return unix.FsconfigSetString(fd, "casefold", "utf8") == nil && unix.FsconfigCreate(fd) == nil
}
