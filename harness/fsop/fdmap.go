package fsop

import (
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// Mmap maps the first Length bytes of FD for reading, MAP_SHARED or
// MAP_PRIVATE; MapRead reads through the mapping. A shared mapping of a
// file must see every later write to the file, through any descriptor or
// name (overlayfs documents where it does not).
type Mmap struct {
	FD     string
	Shared bool
	Length int
	By
}

func (o Mmap) Kind() string    { return "mmap" }
func (o Mmap) Paths() []string { return fdPath(o.FD) }
func (o Mmap) Shell() string   { return perlShell(o.Perl()) }
func (o Mmap) Perl() string {
	return perlAs(o.By, perlCall("mmap_fd", o.FD, o.Length, o.mapFlags()))
}
func (o Mmap) mapFlags() int {
	if o.Shared {
		return unix.MAP_SHARED
	}
	return unix.MAP_PRIVATE
}
func (o Mmap) apply(t *Tree) error {
	f := t.table().files[o.FD]
	if f == nil {
		return unix.EBADF
	}
	mem, err := unix.Mmap(f.fd, 0, o.Length, unix.PROT_READ, o.mapFlags())
	if err != nil {
		return err
	}
	if f.mem != nil {
		unix.Munmap(f.mem)
	}
	f.mem = mem
	return nil
}

// MapRead reads Len bytes at Offset of FD's mapping (fewer at its end); the
// outcome carries them, or "SIGBUS" when a page past the end of the file
// was touched.
type MapRead struct {
	FD     string
	Offset int
	Len    int
	By
}

func (o MapRead) Kind() string    { return "map-read" }
func (o MapRead) Paths() []string { return fdPath(o.FD) }
func (o MapRead) Shell() string   { return perlShell(o.Perl()) }
func (o MapRead) Perl() string {
	return perlAs(o.By, perlCall("map_read", o.FD, o.Offset, o.Len))
}
func (o MapRead) apply(t *Tree) error {
	f := t.table().files[o.FD]
	if f == nil || f.mem == nil || o.Offset < 0 || o.Offset > len(f.mem) {
		return unix.EINVAL
	}
	end := min(o.Offset+o.Len, len(f.mem))
	b, err := copyFaulting(f.mem[o.Offset:end])
	if err != nil {
		return err
	}
	return reported(showData(b))
}

// copyFaulting copies mem, turning the SIGBUS of a page beyond the end of
// a mapped file into the outcome "SIGBUS" instead of a crash.
func copyFaulting(mem []byte) (out []byte, err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if recover() != nil {
			out, err = nil, reported("SIGBUS")
		}
	}()
	out = make([]byte, len(mem))
	copy(out, mem)
	return out, nil
}

// Flock takes (How "sh" or "ex") or drops ("un") a flock(2) lock on FD,
// never waiting: a lock another open file description holds gives
// EWOULDBLOCK (EAGAIN). A lock taken before a copy-up must still exclude
// one taken after it through the same name.
type Flock struct {
	FD  string
	How string
	By
}

func (o Flock) Kind() string    { return "flock" }
func (o Flock) Paths() []string { return fdPath(o.FD) }
func (o Flock) Shell() string   { return perlShell(o.Perl()) }
func (o Flock) Perl() string {
	return perlAs(o.By, perlCall("flock_fd", o.FD, o.how()))
}
func (o Flock) how() int {
	return map[string]int{"sh": unix.LOCK_SH, "ex": unix.LOCK_EX, "un": unix.LOCK_UN}[o.How] | unix.LOCK_NB
}
func (o Flock) apply(t *Tree) error { return unix.Flock(t.fdOf(o.FD), o.how()) }

// FcntlLock takes (Type "read" or "write") or drops ("unlock") a byte-range
// lock on FD with F_OFD_SETLK, never waiting. Open file description locks,
// unlike classic POSIX ones, conflict between two descriptions of one
// process, so a second Open of the same name tests the conflict.
type FcntlLock struct {
	FD         string
	Type       string
	Start, Len int64
	By
}

func (o FcntlLock) Kind() string    { return "fcntl-lock" }
func (o FcntlLock) Paths() []string { return fdPath(o.FD) }
func (o FcntlLock) Shell() string   { return perlShell(o.Perl()) }
func (o FcntlLock) Perl() string {
	return perlAs(o.By, perlCall("ofd_lock", o.FD, int(o.lockType()), o.Start, o.Len))
}
func (o FcntlLock) lockType() int16 {
	return map[string]int16{"read": unix.F_RDLCK, "write": unix.F_WRLCK, "unlock": unix.F_UNLCK}[o.Type]
}
func (o FcntlLock) apply(t *Tree) error {
	lk := unix.Flock_t{Type: o.lockType(), Whence: 0, Start: o.Start, Len: o.Len}
	return unix.FcntlFlock(uintptr(t.fdOf(o.FD)), unix.F_OFD_SETLK, &lk)
}
