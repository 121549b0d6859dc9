package fsop

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Descriptor ops act on a named descriptor of the tree (fdtable.go) that
// an Open made, as a long-running program does: a package manager that
// keeps its database open while another process rewrites it, a daemon
// that holds a lock. What they read is their outcome ("ok len=5
// data=..."), so the comparison with the reference sees it.
//
// Their shell form is a perl program (perl-base is essential on Debian):
// alone, one op is a program of its own; a reproducer joins a run of them
// into one program that holds the descriptors (PerlProgram).

// reported is an outcome that is not an errno: what a read saw, how a
// program exited. OutcomeOf returns it as it is.
type reported string

func (r reported) Error() string { return string(r) }

// FDOp is an op on named descriptors, with its statement in a perl program.
type FDOp interface {
	Op
	// Perl is the op as a statement of a program that begins with
	// PerlPrelude; it prints the op's outcome on a line of its own.
	Perl() string
}

// fdPath is what a descriptor op names for Paths: its descriptor, marked
// so that no one takes it for a path of the tree.
func fdPath(name string) []string { return []string{"fd:" + name} }

// perlStr is s as a perl expression: a quoted literal when it is plain
// text, else its bytes exactly.
func perlStr(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r > '~' }) < 0 {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, `@`, `\@`).Replace(s) + `"`
	}
	return fmt.Sprintf(`pack("H*","%x")`, s)
}

// octal is a mode, written in octal in a perl program.
type octal uint32

// perlCall is a call of a sub of PerlPrelude with args: strings quoted,
// numbers as they are, modes in octal.
func perlCall(sub string, args ...any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			parts[i] = perlStr(v)
		case octal:
			parts[i] = fmt.Sprintf("%#o", uint32(v))
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return sub + "(" + strings.Join(parts, ", ") + ");"
}

// perlShell is the shell line of a descriptor op: a descriptor lives as
// long as its process, so a line of its own could not hold one. The line
// is the no-op ":" with the op's perl statement, which reproducers run in
// one perl program with the ops around it (PerlProgram).
func perlShell(stmt string) string { return ": perl " + Quote(stmt) }

// perlAs runs stmt with b's credentials and umask inside the perl program.
func perlAs(b By, stmt string) string {
	mask := -1
	if b.Umask != nil {
		mask = int(*b.Umask & 0o777)
	}
	if b.As.IsRoot() && mask < 0 {
		return stmt
	}
	groups := make([]string, 0, len(b.As.Groups))
	for _, g := range b.As.Groups {
		groups = append(groups, fmt.Sprint(g))
	}
	if len(groups) == 0 {
		groups = []string{fmt.Sprint(b.As.GID)}
	}
	return fmt.Sprintf(`as(%d,%d,"%s",%d,sub{%s});`, b.As.UID, b.As.GID, strings.Join(groups, " "), mask, stmt)
}

// showData is the outcome of a read: its length, and the bytes when they
// are few, else a digest.
func showData(b []byte) Outcome {
	if len(b) <= 64 {
		return Outcome(fmt.Sprintf("ok len=%d data=%x", len(b), b))
	}
	return Outcome(fmt.Sprintf("ok len=%d sha256=%.16x", len(b), sha256.Sum256(b)))
}

// Open opens Path with Flags (O_RDONLY, O_CREAT, O_PATH, ...; O_CLOEXEC is
// added) and Mode, taken as open(2) takes them (see openHow), resolved
// beneath the tree like every path (a symlink in the last component is
// followed unless Flags has O_NOFOLLOW, and a trailing slash is kept), and
// names the descriptor FD.
type Open struct {
	Path  string
	Flags int
	Mode  uint32
	FD    string
	By
}

func (o Open) Kind() string    { return "open" }
func (o Open) Paths() []string { return []string{o.Path} }
func (o Open) Shell() string   { return perlShell(o.Perl()) + " # " + FlagNames(o.Flags) }
func (o Open) Perl() string {
	return perlAs(o.By, perlCall("open_fd", o.FD, o.Path, o.Flags, octal(o.Mode)))
}
func (o Open) apply(t *Tree) error {
	p := CleanRel(o.Path)
	if strings.HasSuffix(o.Path, "/") && p != "." {
		p += "/" // a trailing slash asks for a directory: keep it
	}
	flags, mode := openHow(o.Flags, o.Mode)
	how := unix.OpenHow{Flags: flags, Mode: mode, Resolve: resolveFlags}
	for {
		fd, err := unix.Openat2(t.fd, p, &how)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue // see OpenAt
		}
		if err != nil {
			return err
		}
		t.hold(o.FD, fd)
		return nil
	}
}

// openHow turns open(2) flags and mode into openat2(2)'s, as the kernel
// does for open(2) (build_open_how): openat2 refuses a mode without
// O_CREAT or O_TMPFILE, and flags that O_PATH ignores, where open(2)
// drops them.
func openHow(flags int, mode uint32) (uint64, uint64) {
	if flags&unix.O_CREAT == 0 && flags&unix.O_TMPFILE != unix.O_TMPFILE {
		mode = 0
	}
	if flags&unix.O_PATH != 0 {
		flags &= unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW
	}
	return uint64(flags) | unix.O_CLOEXEC, uint64(mode)
}

// Close closes the descriptor FD (and its mapping), or stops the program
// an Exec left running under that name.
type Close struct {
	FD string
	By
}

func (o Close) Kind() string    { return "close" }
func (o Close) Paths() []string { return fdPath(o.FD) }
func (o Close) Shell() string   { return perlShell(o.Perl()) }
func (o Close) Perl() string    { return perlCall("close_fd", o.FD) }
func (o Close) apply(t *Tree) error {
	return t.closeName(o.FD)
}

// ReadFD reads up to Len bytes from FD at Offset, or at its position when
// Offset is negative; the outcome carries what it read.
type ReadFD struct {
	FD     string
	Offset int64
	Len    int
	By
}

func (o ReadFD) Kind() string    { return "read-fd" }
func (o ReadFD) Paths() []string { return fdPath(o.FD) }
func (o ReadFD) Shell() string   { return perlShell(o.Perl()) }
func (o ReadFD) Perl() string {
	return perlAs(o.By, perlCall("read_fd", o.FD, o.Offset, o.Len))
}
func (o ReadFD) apply(t *Tree) error {
	buf := make([]byte, o.Len)
	var n int
	var err error
	if o.Offset < 0 {
		n, err = unix.Read(t.fdOf(o.FD), buf)
	} else {
		n, err = unix.Pread(t.fdOf(o.FD), buf, o.Offset)
	}
	if err != nil {
		return err
	}
	return reported(showData(buf[:n]))
}

// WriteFD writes Data to FD at Offset, or at its position (the end, with
// O_APPEND) when Offset is negative.
type WriteFD struct {
	FD     string
	Offset int64
	Data   string
	By
}

func (o WriteFD) Kind() string    { return "write-fd" }
func (o WriteFD) Paths() []string { return fdPath(o.FD) }
func (o WriteFD) Shell() string   { return perlShell(o.Perl()) }
func (o WriteFD) Perl() string {
	return perlAs(o.By, perlCall("write_fd", o.FD, o.Offset, o.Data))
}
func (o WriteFD) apply(t *Tree) error {
	fd, b, off := t.fdOf(o.FD), []byte(o.Data), o.Offset
	for {
		var n int
		var err error
		if off < 0 {
			n, err = unix.Write(fd, b)
		} else {
			n, err = unix.Pwrite(fd, b, off)
			off += int64(n)
		}
		if err != nil {
			return err
		}
		if b = b[n:]; len(b) == 0 || n == 0 {
			return nil
		}
	}
}

// FstatFD stats FD; the outcome carries the type, mode, owner, size and
// link count (not the inode number, which no two trees share).
type FstatFD struct {
	FD string
	By
}

func (o FstatFD) Kind() string    { return "fstat-fd" }
func (o FstatFD) Paths() []string { return fdPath(o.FD) }
func (o FstatFD) Shell() string   { return perlShell(o.Perl()) }
func (o FstatFD) Perl() string    { return perlAs(o.By, perlCall("fstat_fd", o.FD)) }
func (o FstatFD) apply(t *Tree) error {
	var st unix.Stat_t
	if err := unix.Fstat(t.fdOf(o.FD), &st); err != nil {
		return err
	}
	out := fmt.Sprintf("ok %s mode=%04o uid=%d gid=%d", TypeOf(st.Mode), st.Mode&0o7777, st.Uid, st.Gid)
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		// The size and link count of a directory depend on the
		// filesystem (overlayfs counts 1 link for a merged one, as
		// btrfs does for every one), so snapshots leave them out too.
		out += fmt.Sprintf(" size=%d nlink=%d", st.Size, st.Nlink)
	}
	return reported(out)
}

// FchmodFD is fchmod(2) on FD.
type FchmodFD struct {
	FD   string
	Mode uint32
	By
}

func (o FchmodFD) Kind() string    { return "fchmod-fd" }
func (o FchmodFD) Paths() []string { return fdPath(o.FD) }
func (o FchmodFD) Shell() string   { return perlShell(o.Perl()) }
func (o FchmodFD) Perl() string {
	return perlAs(o.By, perlCall("fchmod_fd", o.FD, octal(o.Mode)))
}
func (o FchmodFD) apply(t *Tree) error { return unix.Fchmod(t.fdOf(o.FD), o.Mode) }

// FchownFD is fchown(2) on FD (-1 keeps one).
type FchownFD struct {
	FD       string
	UID, GID int
	By
}

func (o FchownFD) Kind() string    { return "fchown-fd" }
func (o FchownFD) Paths() []string { return fdPath(o.FD) }
func (o FchownFD) Shell() string   { return perlShell(o.Perl()) }
func (o FchownFD) Perl() string {
	return perlAs(o.By, perlCall("fchown_fd", o.FD, o.UID, o.GID))
}
func (o FchownFD) apply(t *Tree) error { return unix.Fchown(t.fdOf(o.FD), o.UID, o.GID) }

// FsetxattrFD is fsetxattr(2) on FD.
type FsetxattrFD struct {
	FD, Name, Value string
	By
}

func (o FsetxattrFD) Kind() string    { return "fsetxattr-fd" }
func (o FsetxattrFD) Paths() []string { return fdPath(o.FD) }
func (o FsetxattrFD) Shell() string   { return perlShell(o.Perl()) }
func (o FsetxattrFD) Perl() string {
	return perlAs(o.By, perlCall("fsetxattr_fd", o.FD, o.Name, o.Value))
}
func (o FsetxattrFD) apply(t *Tree) error {
	return unix.Fsetxattr(t.fdOf(o.FD), o.Name, []byte(o.Value), 0)
}

// FtruncateFD is ftruncate(2) on FD.
type FtruncateFD struct {
	FD   string
	Size int64
	By
}

func (o FtruncateFD) Kind() string    { return "ftruncate-fd" }
func (o FtruncateFD) Paths() []string { return fdPath(o.FD) }
func (o FtruncateFD) Shell() string   { return perlShell(o.Perl()) }
func (o FtruncateFD) Perl() string {
	return perlAs(o.By, perlCall("ftruncate_fd", o.FD, o.Size))
}
func (o FtruncateFD) apply(t *Tree) error { return unix.Ftruncate(t.fdOf(o.FD), o.Size) }

// FsyncFD is fsync(2) on FD.
type FsyncFD struct {
	FD string
	By
}

func (o FsyncFD) Kind() string        { return "fsync-fd" }
func (o FsyncFD) Paths() []string     { return fdPath(o.FD) }
func (o FsyncFD) Shell() string       { return perlShell(o.Perl()) }
func (o FsyncFD) Perl() string        { return perlAs(o.By, perlCall("fsync_fd", o.FD)) }
func (o FsyncFD) apply(t *Tree) error { return unix.Fsync(t.fdOf(o.FD)) }

// FlagNames spells open(2) flags: "O_WRONLY|O_CREAT|O_TRUNC".
func FlagNames(flags int) string {
	names := []string{[]string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[flags&unix.O_ACCMODE]}
	if flags&unix.O_PATH != 0 {
		names[0] = "O_PATH"
	}
	rest := flags &^ (unix.O_ACCMODE | unix.O_PATH)
	if rest&unix.O_TMPFILE == unix.O_TMPFILE {
		names, rest = append(names, "O_TMPFILE"), rest&^unix.O_TMPFILE
	}
	for _, f := range []struct {
		bit  int
		name string
	}{{unix.O_CREAT, "O_CREAT"}, {unix.O_EXCL, "O_EXCL"}, {unix.O_TRUNC, "O_TRUNC"}, {unix.O_APPEND, "O_APPEND"},
		{unix.O_DIRECTORY, "O_DIRECTORY"}, {unix.O_NOFOLLOW, "O_NOFOLLOW"}, {unix.O_NONBLOCK, "O_NONBLOCK"}} {
		if rest&f.bit != 0 {
			names, rest = append(names, f.name), rest&^f.bit
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(names, "|")
}
