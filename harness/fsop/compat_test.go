package fsop

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// compatTree makes, in a fresh directory, a file, a directory, a symlink to
// each, a dangling symlink and a file owned by uid 1000, and returns an
// O_PATH descriptor of it.
func compatTree(t *testing.T) (string, int) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, step := range []error{
		os.WriteFile(filepath.Join(dir, "f"), nil, 0o644),
		os.Mkdir(filepath.Join(dir, "d"), 0o755),
		os.Symlink("f", filepath.Join(dir, "lf")),
		os.Symlink("d", filepath.Join(dir, "ld")),
		os.Symlink("nowhere", filepath.Join(dir, "dangling")),
		os.WriteFile(filepath.Join(dir, "mine"), nil, 0o644),
		os.Chown(filepath.Join(dir, "mine"), 1000, 1000),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return dir, fd
}

// modes lists the mode of every entry of dir, symlinks themselves.
func modes(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := ""
	for _, e := range ents {
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(dir, e.Name()), &st); err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf("%s:%o ", e.Name(), st.Mode)
	}
	return s
}

// compatCase is one call: on dirfd/name, or with emptyPath on the
// descriptor of name opened O_PATH (nofollow: not following it).
type compatCase struct {
	name      string
	flags     int
	emptyPath bool
	nofollow  bool
	plain     bool // the descriptor opened O_RDONLY, not O_PATH
	as        Identity
}

func (c compatCase) String() string {
	return fmt.Sprintf("%q flags %#x emptyPath %v nofollow %v plain %v as %d", c.name, c.flags, c.emptyPath, c.nofollow, c.plain, c.as.UID)
}

var user1000 = Identity{Name: "user", UID: 1000, GID: 1000}

var compatCases = []compatCase{
	{name: "f"}, {name: "f", flags: unix.AT_SYMLINK_NOFOLLOW}, {name: "d", flags: unix.AT_SYMLINK_NOFOLLOW},
	{name: "lf"}, {name: "ld"}, {name: "lf", flags: unix.AT_SYMLINK_NOFOLLOW}, {name: "ld", flags: unix.AT_SYMLINK_NOFOLLOW},
	{name: "dangling"}, {name: "dangling", flags: unix.AT_SYMLINK_NOFOLLOW}, {name: "missing", flags: unix.AT_SYMLINK_NOFOLLOW},
	{name: "f", flags: unix.AT_EMPTY_PATH, emptyPath: true}, {name: "d", flags: unix.AT_EMPTY_PATH, emptyPath: true},
	{name: "lf", flags: unix.AT_EMPTY_PATH, emptyPath: true, nofollow: true},
	{name: "lf", flags: unix.AT_EMPTY_PATH, emptyPath: true},
	{name: "f", emptyPath: true}, {name: "f", flags: 0x4000, emptyPath: true},
	{name: "f", flags: unix.AT_EMPTY_PATH, emptyPath: true, nofollow: true},
	{name: "f", flags: unix.AT_EMPTY_PATH, emptyPath: true, plain: true}, {name: "d", flags: unix.AT_EMPTY_PATH, emptyPath: true, plain: true},
	{name: "mine", flags: unix.AT_EMPTY_PATH | unix.AT_SYMLINK_NOFOLLOW, emptyPath: true, plain: true, as: user1000},
	{name: "f", flags: unix.AT_SYMLINK_NOFOLLOW, as: user1000}, {name: "mine", flags: unix.AT_SYMLINK_NOFOLLOW, as: user1000},
	{name: "mine", flags: unix.AT_EMPTY_PATH, emptyPath: true, as: user1000},
}

// runCompat calls fn for c beneath dirfd, as c.as, and returns its errno.
func runCompat(t *testing.T, dirfd int, c compatCase, fn func(fd int, name string, flags int) error) string {
	t.Helper()
	fd, name := dirfd, c.name
	if c.emptyPath {
		o := unix.O_PATH | unix.O_CLOEXEC
		if c.plain {
			o = unix.O_RDONLY | unix.O_CLOEXEC
		}
		if c.nofollow {
			o |= unix.O_NOFOLLOW
		}
		var err error
		if fd, err = unix.Openat(dirfd, c.name, o, 0); err != nil {
			t.Fatalf("%s: open: %v", c, err)
		}
		defer unix.Close(fd)
		name = ""
	}
	return string(OutcomeOf(RunAs(c.as, func() error { return fn(fd, name, c.flags) })))
}

// TestFchmodatFallbackMatches: chmod through /proc/self/fd gives what
// fchmodat2 gives, errno and resulting modes, for files, directories,
// symlinks (followed or not), a descriptor itself, bad flags and a user
// who owns the file or does not.
func TestFchmodatFallbackMatches(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (chown, acting as another user)")
	}
	for _, c := range compatCases {
		newDir, newFD := compatTree(t)
		oldDir, oldFD := compatTree(t)
		got := runCompat(t, oldFD, c, func(fd int, name string, flags int) error { return fchmodatCompat(fd, name, 0o710, flags) })
		want := runCompat(t, newFD, c, func(fd int, name string, flags int) error { return fchmodat2(fd, name, 0o710, flags) })
		if got != want {
			t.Errorf("%s: fallback %s, fchmodat2 %s", c, got, want)
		}
		if g, w := modes(t, oldDir), modes(t, newDir); g != w {
			t.Errorf("%s: fallback left %s, fchmodat2 %s", c, g, w)
		}
	}
}

// TestXattratFallbackMatches: l*xattr through /proc/self/fd act on the
// inode setxattrat/removexattrat act on (a symlink's own, never its
// target's), with the same errno, set and then removed.
func TestXattratFallbackMatches(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (chown, acting as another user)")
	}
	for _, attr := range []string{"user.lc", "trusted.lc"} {
		for _, c := range compatCases {
			newDir, newFD := compatTree(t)
			oldDir, oldFD := compatTree(t)
			for _, op := range []string{"set", "remove"} {
				got := runCompat(t, oldFD, c, func(fd int, name string, flags int) error {
					if op == "set" {
						return setxattratCompat(fd, name, flags, attr, []byte("v"))
					}
					return removexattratCompat(fd, name, flags, attr)
				})
				want := runCompat(t, newFD, c, func(fd int, name string, flags int) error {
					if op == "set" {
						return Setxattrat(fd, name, flags, attr, []byte("v"))
					}
					return Removexattrat(fd, name, flags, attr)
				})
				if got != want {
					t.Errorf("%s %s %s: fallback %s, xattrat %s", op, attr, c, got, want)
				}
				if g, w := xattrsIn(t, oldDir), xattrsIn(t, newDir); g != w {
					t.Errorf("%s %s %s: fallback left %s, xattrat %s", op, attr, c, g, w)
				}
			}
		}
	}
}

// xattrsIn lists the xattrs of every entry of dir, symlinks themselves.
func xattrsIn(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := ""
	for _, e := range ents {
		x, err := XattrsOf(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf("%s:%v ", e.Name(), x)
	}
	return s
}
