package fsop

import (
	"encoding/binary"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// ListTwice lists the directory Path, closes it, opens it again and lists
// it a second time, each time in small getdents(2) reads (so that a long
// merged listing is read in many pieces, as ls(1) does on a big
// directory). It fails when a listing holds a name twice, when the two
// listings differ, or when a listed name cannot be lstat'ed: a merged
// directory must list like a plain one, however its names are spread over
// layers and whiteouts.
type ListTwice struct {
	Path string
	By
}

func (o ListTwice) Kind() string    { return "list-twice" }
func (o ListTwice) Paths() []string { return []string{o.Path} }
func (o ListTwice) Shell() string {
	return asShell(o.By, fmt.Sprintf(`sh -c 'a=$(ls -fA -- "$1" | sort); b=$(ls -fA -- "$1" | sort); `+
		`[ -z "$(printf %%s "$a" | uniq -d)" ] && [ "$a" = "$b" ]' - %s`, Quote(o.Path)))
}

func (o ListTwice) apply(t *Tree) error {
	first, err := listSmall(t, o.Path)
	if err != nil {
		return err
	}
	second, err := listSmall(t, o.Path)
	if err != nil {
		return err
	}
	for _, l := range [][]string{first, second} {
		slices.Sort(l)
		for i := 1; i < len(l); i++ {
			if l[i] == l[i-1] {
				return fmt.Errorf("lists %q twice", l[i])
			}
		}
	}
	if !slices.Equal(first, second) {
		return fmt.Errorf("listed %d names, then %d after reopening", len(first), len(second))
	}
	return t.WithPath(o.Path, true, func(fd int) error {
		for _, n := range first {
			var st unix.Stat_t
			if err := unix.Fstatat(fd, n, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return fmt.Errorf("lists %q, lstat gives %v", n, OutcomeOf(err))
			}
		}
		return nil
	})
}

// listSmall reads the names of the directory p beneath t (following a
// symlink inside t) in getdents(2) reads of 512 bytes.
func listSmall(t *Tree, p string) ([]string, error) {
	fd, err := t.OpenAt(p, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 512)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		for b := buf[:n]; len(b) > 0; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			name := b[19:reclen]
			if i := slices.Index(name, 0); i >= 0 {
				name = name[:i]
			}
			if s := string(name); s != "." && s != ".." {
				names = append(names, s)
			}
			b = b[reclen:]
		}
	}
}
