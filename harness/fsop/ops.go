package fsop

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Op is one filesystem operation, a value. The same Op is applied to the
// merged view of a stack and to the reference copy; its outcome on each
// (nil or an errno) is compared. Every path is relative to the root of the
// tree the op is applied to, and is resolved beneath it (see Tree).
type Op interface {
	// Kind names the operation: "chmod", "rename", ...
	Kind() string
	// Paths lists the paths the op names, the one it acts on first.
	Paths() []string
	// Identity is who performs the op.
	Identity() Identity
	// Shell prints the op as one POSIX sh line, run from the tree's root.
	Shell() string
	// apply performs the op beneath t with the caller's credentials.
	apply(t *Tree) error
}

// By is embedded in every op: the identity that performs it (root if zero)
// and, if set, the umask it runs under (else the process's own, the same for
// the merged view and the reference; set it with Mask).
type By struct {
	As    Identity `json:"as,omitzero"`
	Umask *uint32  `json:"umask,omitempty"`
}

// Identity implements Op.
func (b By) Identity() Identity { return b.As }

// Mask returns a umask for By.Umask.
func Mask(bits uint32) *uint32 { return &bits }

// umasker is implemented by every op through By.
type umasker interface{ umask() *uint32 }

func (b By) umask() *uint32 { return b.Umask }

// Apply performs op beneath t as op.Identity(), under its umask if it has
// one, and returns its outcome.
func Apply(t *Tree, op Op) Outcome {
	var mask *uint32
	if u, ok := op.(umasker); ok {
		mask = u.umask()
	}
	return OutcomeOf(RunWith(op.Identity(), mask, func() error { return op.apply(t) }))
}

// Outcome is the result of an op: "ok" or an errno name such as "EXDEV".
type Outcome string

// OK is the outcome of an op that succeeded.
const OK Outcome = "ok"

func OutcomeOf(err error) Outcome {
	if err == nil {
		return OK
	}
	var r reported
	if errors.As(err, &r) { // an op that reports what it saw (fdops.go)
		return Outcome(r)
	}
	var e unix.Errno
	if errors.As(err, &e) {
		if name := unix.ErrnoName(e); name != "" {
			return Outcome(name)
		}
	}
	return Outcome(err.Error())
}

// sh quotes s for a POSIX shell.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// asShell prefixes line with the setpriv call for the op's identity and,
// when the op has a umask, runs it in a subshell that sets it first (so
// that the umask does not leak into the reproducer's next lines).
func asShell(b By, line string) string {
	line = b.As.ShellPrefix() + line
	if b.Umask != nil {
		line = fmt.Sprintf("(umask %04o; %s)", *b.Umask&0o777, line)
	}
	return line
}

// Chmod sets the permission bits, setuid, setgid and sticky of Path,
// following a symlink in the last component (beneath the tree), as chmod(1).
type Chmod struct {
	Path string
	Mode uint32
	By
}

func (o Chmod) Kind() string    { return "chmod" }
func (o Chmod) Paths() []string { return []string{o.Path} }
func (o Chmod) Shell() string {
	return asShell(o.By, fmt.Sprintf("chmod %04o -- %s", o.Mode, Quote(o.Path)))
}
func (o Chmod) apply(t *Tree) error {
	return t.WithPath(o.Path, true, func(fd int) error { return Fchmodat(fd, "", o.Mode, unix.AT_EMPTY_PATH) })
}

// Chown sets the owner and group of Path (-1 keeps one), following a symlink
// in the last component (beneath the tree), as chown(1).
type Chown struct {
	Path     string
	UID, GID int
	By
}

func (o Chown) Kind() string    { return "chown" }
func (o Chown) Paths() []string { return []string{o.Path} }
func (o Chown) Shell() string {
	return asShell(o.By, fmt.Sprintf("chown %s -- %s", ownerArg(o.UID, o.GID), Quote(o.Path)))
}
func (o Chown) apply(t *Tree) error {
	return t.WithPath(o.Path, true, func(fd int) error { return unix.Fchownat(fd, "", o.UID, o.GID, unix.AT_EMPTY_PATH) })
}

// Lchown is Chown on the last component itself, a symlink included.
type Lchown struct {
	Path     string
	UID, GID int
	By
}

func (o Lchown) Kind() string    { return "lchown" }
func (o Lchown) Paths() []string { return []string{o.Path} }
func (o Lchown) Shell() string {
	return asShell(o.By, fmt.Sprintf("chown -h %s -- %s", ownerArg(o.UID, o.GID), Quote(o.Path)))
}
func (o Lchown) apply(t *Tree) error {
	return t.WithParent(o.Path, func(dfd int, base string) error {
		return unix.Fchownat(dfd, base, o.UID, o.GID, unix.AT_SYMLINK_NOFOLLOW)
	})
}

func ownerArg(uid, gid int) string {
	s := ""
	if uid >= 0 {
		s = fmt.Sprint(uid)
	}
	if gid >= 0 {
		s += fmt.Sprintf(":%d", gid)
	}
	return s
}

// Remove removes Path: a non-directory with unlink(2), an empty directory
// with rmdir(2), as rm -d.
type Remove struct {
	Path string
	By
}

func (o Remove) Kind() string    { return "remove" }
func (o Remove) Paths() []string { return []string{o.Path} }
func (o Remove) Shell() string   { return asShell(o.By, "rm -d -- "+Quote(o.Path)) }
func (o Remove) apply(t *Tree) error {
	return t.WithParent(o.Path, func(dfd int, base string) error {
		err := unix.Unlinkat(dfd, base, 0)
		if err == unix.EISDIR {
			err = unix.Unlinkat(dfd, base, unix.AT_REMOVEDIR)
		}
		return err
	})
}

// RemoveAll removes Path and everything beneath it, never following a
// symlink, as rm -rf (a missing Path is no error).
type RemoveAll struct {
	Path string
	By
}

func (o RemoveAll) Kind() string    { return "remove-all" }
func (o RemoveAll) Paths() []string { return []string{o.Path} }
func (o RemoveAll) Shell() string   { return asShell(o.By, "rm -rf -- "+Quote(o.Path)) }
func (o RemoveAll) apply(t *Tree) error {
	err := t.WithParent(o.Path, removeAllAt)
	if err == unix.ENOENT {
		return nil
	}
	return err
}

// removeAllAt removes dirfd/name recursively without following symlinks.
func removeAllAt(dirfd int, name string) error {
	err := unix.Unlinkat(dirfd, name, 0)
	if err != unix.EISDIR && err != unix.EPERM {
		return err
	}
	fd, oerr := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if oerr != nil {
		return err
	}
	names, rerr := ReadNames(fd)
	if rerr == nil {
		for _, n := range names {
			if rerr = removeAllAt(fd, n); rerr != nil {
				break
			}
		}
	}
	unix.Close(fd)
	if rerr != nil {
		return rerr
	}
	return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR)
}

// Rename renames From to To with renameat2(2) and Flags
// (unix.RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT).
type Rename struct {
	From, To string
	Flags    uint
	By
}

func (o Rename) Kind() string    { return "rename" }
func (o Rename) Paths() []string { return []string{o.From, o.To} }

// Shell calls rename(2) itself through perl (part of every Debian system):
// mv(1) would hide an EXDEV by copying.
func (o Rename) Shell() string {
	if o.Flags == 0 {
		return asShell(o.By, fmt.Sprintf(`perl -e 'rename($ARGV[0], $ARGV[1]) or die "rename: $!\n"' -- %s %s`, Quote(o.From), Quote(o.To)))
	}
	return asShell(o.By, fmt.Sprintf(`perl -e 'syscall(316, -100, $ARGV[0], -100, $ARGV[1], %d) == 0 or die "renameat2: $!\n"' -- %s %s`,
		o.Flags, Quote(o.From), Quote(o.To)))
}
func (o Rename) apply(t *Tree) error {
	return t.WithParent(o.From, func(from int, fromBase string) error {
		return t.WithParent(o.To, func(to int, toBase string) error {
			return unix.Renameat2(from, fromBase, to, toBase, o.Flags)
		})
	})
}

// WriteFile creates or truncates Path (Mode applies when it is created) and
// writes Data. A symlink in the last component is not followed (ELOOP).
type WriteFile struct {
	Path string
	Data string
	Mode uint32
	By
}

func (o WriteFile) Kind() string    { return "write" }
func (o WriteFile) Paths() []string { return []string{o.Path} }
func (o WriteFile) Shell() string {
	mask := 0o777 &^ o.Mode // the shell creates with 0666: Mode exactly, less its x bits
	if o.Umask != nil {
		mask |= *o.Umask & 0o777
	}
	return asShell(o.By, fmt.Sprintf("sh -c 'umask %04o; printf %%s \"$1\" > \"$2\"' - %s %s", mask, Quote(o.Data), Quote(o.Path)))
}
func (o WriteFile) apply(t *Tree) error {
	return writeAt(t, o.Path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, o.Mode, o.Data)
}

// Append appends Data to the existing file Path (no symlink followed).
type Append struct {
	Path string
	Data string
	By
}

func (o Append) Kind() string    { return "append" }
func (o Append) Paths() []string { return []string{o.Path} }
func (o Append) Shell() string {
	return asShell(o.By, fmt.Sprintf("sh -c 'printf %%s \"$1\" >> \"$2\"' - %s %s", Quote(o.Data), Quote(o.Path)))
}
func (o Append) apply(t *Tree) error {
	return writeAt(t, o.Path, unix.O_WRONLY|unix.O_APPEND, 0, o.Data)
}

func writeAt(t *Tree, p string, flags int, mode uint32, data string) error {
	// O_NONBLOCK: opening a fifo for writing would wait for a reader
	// forever; with it, it fails at once (ENXIO) on both sides alike.
	fd, err := t.OpenAt(p, uint64(flags|unix.O_NOFOLLOW|unix.O_NONBLOCK), mode)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	for b := []byte(data); len(b) > 0; {
		n, err := unix.Write(fd, b)
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// Truncate sets the size of the existing file Path (no symlink followed).
type Truncate struct {
	Path string
	Size int64
	By
}

func (o Truncate) Kind() string    { return "truncate" }
func (o Truncate) Paths() []string { return []string{o.Path} }
func (o Truncate) Shell() string {
	return asShell(o.By, fmt.Sprintf("truncate --no-create -s %d -- %s", o.Size, Quote(o.Path)))
}
func (o Truncate) apply(t *Tree) error {
	fd, err := t.OpenAt(o.Path, unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0) // see writeAt
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Ftruncate(fd, o.Size)
}

// Mkdir creates the directory Path with Mode.
type Mkdir struct {
	Path string
	Mode uint32
	By
}

func (o Mkdir) Kind() string    { return "mkdir" }
func (o Mkdir) Paths() []string { return []string{o.Path} }
func (o Mkdir) Shell() string {
	if o.Umask != nil { // mkdir -m ignores the umask; mkdir(2) through perl does not
		return asShell(o.By, fmt.Sprintf(`perl -e 'mkdir($ARGV[0], %#o) or die "mkdir: $!\n"' -- %s`, o.Mode, Quote(o.Path)))
	}
	return asShell(o.By, fmt.Sprintf("mkdir -m %04o -- %s", o.Mode, Quote(o.Path)))
}
func (o Mkdir) apply(t *Tree) error {
	return t.WithParent(o.Path, func(dfd int, base string) error { return unix.Mkdirat(dfd, base, o.Mode) })
}

// Symlink creates Path as a symlink to Target.
type Symlink struct {
	Target, Path string
	By
}

func (o Symlink) Kind() string    { return "symlink" }
func (o Symlink) Paths() []string { return []string{o.Path} }
func (o Symlink) Shell() string {
	return asShell(o.By, fmt.Sprintf("ln -s -- %s %s", Quote(o.Target), Quote(o.Path)))
}
func (o Symlink) apply(t *Tree) error {
	return t.WithParent(o.Path, func(dfd int, base string) error { return unix.Symlinkat(o.Target, dfd, base) })
}

// Link creates New as a hard link to Old (a symlink in Old is not followed).
type Link struct {
	Old, New string
	By
}

func (o Link) Kind() string    { return "link" }
func (o Link) Paths() []string { return []string{o.Old, o.New} }
func (o Link) Shell() string {
	return asShell(o.By, fmt.Sprintf("ln -P -- %s %s", Quote(o.Old), Quote(o.New)))
}
func (o Link) apply(t *Tree) error {
	return t.WithParent(o.Old, func(from int, fromBase string) error {
		return t.WithParent(o.New, func(to int, toBase string) error {
			return unix.Linkat(from, fromBase, to, toBase, 0)
		})
	})
}

// Mkfifo creates Path as a named pipe with Mode.
type Mkfifo struct {
	Path string
	Mode uint32
	By
}

func (o Mkfifo) Kind() string    { return "mkfifo" }
func (o Mkfifo) Paths() []string { return []string{o.Path} }
func (o Mkfifo) Shell() string {
	if o.Umask != nil { // mkfifo -m ignores the umask; mkfifo(3) through perl does not
		return asShell(o.By, fmt.Sprintf(`perl -MPOSIX -e 'POSIX::mkfifo($ARGV[0], %#o) or die "mkfifo: $!\n"' -- %s`, o.Mode, Quote(o.Path)))
	}
	return asShell(o.By, fmt.Sprintf("mkfifo -m %04o -- %s", o.Mode, Quote(o.Path)))
}
func (o Mkfifo) apply(t *Tree) error {
	return t.WithParent(o.Path, func(dfd int, base string) error {
		return unix.Mknodat(dfd, base, unix.S_IFIFO|o.Mode, 0)
	})
}

// SetXattr sets the extended attribute Name of Path (not following a
// symlink) to Value.
type SetXattr struct {
	Path, Name, Value string
	By
}

func (o SetXattr) Kind() string    { return "setxattr" }
func (o SetXattr) Paths() []string { return []string{o.Path} }
func (o SetXattr) Shell() string {
	return asShell(o.By, fmt.Sprintf("setfattr -h -n %s -v %s -- %s", Quote(o.Name), Quote(xattrShellValue(o.Value)), Quote(o.Path)))
}
func (o SetXattr) apply(t *Tree) error {
	return t.WithParent(o.Path, func(dfd int, base string) error {
		return Setxattrat(dfd, base, unix.AT_SYMLINK_NOFOLLOW, o.Name, []byte(o.Value))
	})
}

// xattrShellValue encodes v for setfattr -v: text in double quotes, else hex.
func xattrShellValue(v string) string {
	if strings.IndexFunc(v, func(r rune) bool { return r < ' ' || r > '~' || r == '"' || r == '\\' }) < 0 {
		return `"` + v + `"`
	}
	return fmt.Sprintf("0x%x", v)
}

// RemoveXattr removes the extended attribute Name of Path (not following a
// symlink).
type RemoveXattr struct {
	Path, Name string
	By
}

func (o RemoveXattr) Kind() string    { return "removexattr" }
func (o RemoveXattr) Paths() []string { return []string{o.Path} }
func (o RemoveXattr) Shell() string {
	return asShell(o.By, fmt.Sprintf("setfattr -h -x %s -- %s", Quote(o.Name), Quote(o.Path)))
}
func (o RemoveXattr) apply(t *Tree) error {
	return t.WithParent(o.Path, func(dfd int, base string) error {
		return Removexattrat(dfd, base, unix.AT_SYMLINK_NOFOLLOW, o.Name)
	})
}
