package fsop

import (
	"runtime"
	"unsafe"

	"github.com/layercheck/layercheck/harness/kernfeat"
	"golang.org/x/sys/unix"
)

// System calls that x/sys/unix does not wrap yet. All take a directory
// descriptor and a last component, so an op can act on a name without
// following it. Where the kernel lacks them (kernfeat), compat.go does the
// same with older calls.

const (
	sysFchmodat2     = 452 // Linux 6.6
	sysSetxattrat    = 463 // Linux 6.13
	sysRemovexattrat = 466 // Linux 6.13
)

// fchmodat2 is fchmodat(2) with working flags (AT_SYMLINK_NOFOLLOW,
// AT_EMPTY_PATH); Fchmodat (compat.go) picks it or its fallback.
func fchmodat2(dirfd int, name string, mode uint32, flags int) error {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return err
	}
	_, _, e := unix.Syscall6(sysFchmodat2, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(mode), uintptr(flags), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// xattrArgs is struct xattr_args of <linux/xattr.h>.
type xattrArgs struct {
	value uint64
	size  uint32
	flags uint32
}

// Setxattrat sets an extended attribute on dirfd/name without following a
// symlink in name when atFlags has AT_SYMLINK_NOFOLLOW.
func Setxattrat(dirfd int, name string, atFlags int, attr string, value []byte) error {
	if kernfeat.Missing(kernfeat.Xattrat) {
		return setxattratCompat(dirfd, name, atFlags, attr, value) // compat.go
	}
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return err
	}
	a, err := unix.BytePtrFromString(attr)
	if err != nil {
		return err
	}
	args := xattrArgs{size: uint32(len(value))}
	if len(value) > 0 {
		args.value = uint64(uintptr(unsafe.Pointer(&value[0])))
	}
	_, _, e := unix.Syscall6(sysSetxattrat, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(atFlags),
		uintptr(unsafe.Pointer(a)), uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args))
	runtime.KeepAlive(value)
	if e != 0 {
		return e
	}
	return nil
}

// Removexattrat removes an extended attribute from dirfd/name.
func Removexattrat(dirfd int, name string, atFlags int, attr string) error {
	if kernfeat.Missing(kernfeat.Xattrat) {
		return removexattratCompat(dirfd, name, atFlags, attr) // compat.go
	}
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return err
	}
	a, err := unix.BytePtrFromString(attr)
	if err != nil {
		return err
	}
	_, _, e := unix.Syscall6(sysRemovexattrat, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(atFlags),
		uintptr(unsafe.Pointer(a)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
