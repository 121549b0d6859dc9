package commit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// Shadow is one upper entry that hides a lower entry whose metadata
// differs: Field (type, mode, owner or content) is Upper in the upper and
// Lower in the lower. A later update of the lower will not reach Path
// while the upper holds it.
type Shadow struct {
	Path  string // in the merged view, "." for the root
	Field string // "type", "mode", "owner" or "content"
	Upper string
	Lower string
}

// Explain lists the entries of upper (read per f, with its lowers top
// first) that shadow a lower entry with other metadata: the type, the mode
// bits, the owner, or the content (the sha256 of a file's data, a
// symlink's target, a device's number). A renamed directory is compared
// with the directory it came from. Shadows are sorted by path, then
// field. For `layercheck export --explain`.
func Explain(upper string, lowers []string, f Format) ([]Shadow, error) {
	s, err := newStack(upper, lowers, f)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var out []Shadow
	w := &walker{s: s, emit: func(it item) error {
		if it.kind != itemEntry || it.src.layer != 0 || it.under == nil {
			return nil
		}
		sh, err := s.compare(it)
		out = append(out, sh...)
		return err
	}}
	if err := w.run(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Field < out[j].Field
	})
	return out, nil
}

// compare lists how an upper entry differs from the lower one it hides.
func (s *stack) compare(it item) ([]Shadow, error) {
	u, l := &it.src.st, &it.under.st
	var out []Shadow
	add := func(field, up, low string) {
		if up != low {
			out = append(out, Shadow{Path: it.path, Field: field, Upper: up, Lower: low})
		}
	}
	add("type", fsop.TypeOf(u.Mode), fsop.TypeOf(l.Mode))
	add("mode", fmt.Sprintf("%04o", u.Mode&0o7777), fmt.Sprintf("%04o", l.Mode&0o7777))
	add("owner", fmt.Sprintf("%d:%d", u.Uid, u.Gid), fmt.Sprintf("%d:%d", l.Uid, l.Gid))
	if u.Mode&unix.S_IFMT != l.Mode&unix.S_IFMT || u.Mode&unix.S_IFMT == unix.S_IFDIR {
		return out, nil
	}
	under := *it.under
	if under.metacopy {
		return out, nil // its data is further down; the upper's is what counts
	}
	data := it.data
	if u.Mode&unix.S_IFMT != unix.S_IFREG {
		data = it.src
	}
	up, err := s.content(data)
	if err != nil {
		return out, err
	}
	low, err := s.content(under)
	add("content", up, low)
	return out, err
}

// content sums what a non-directory holds.
func (s *stack) content(e ent) (string, error) {
	switch e.st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		fd, err := s.open(e.layer, e.rel, unix.O_RDONLY)
		if err != nil {
			return "", err
		}
		f := os.NewFile(uintptr(fd), e.rel)
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
		return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
	case unix.S_IFLNK:
		fd, err := s.open(e.layer, e.rel, unix.O_PATH)
		if err != nil {
			return "", err
		}
		defer unix.Close(fd)
		t, err := readlinkFd(fd)
		return "-> " + t, err
	case unix.S_IFCHR, unix.S_IFBLK:
		return fmt.Sprintf("%d:%d", unix.Major(e.st.Rdev), unix.Minor(e.st.Rdev)), nil
	}
	return "", nil
}
