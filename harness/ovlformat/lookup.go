package ovlformat

import (
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// ovlLowerDir reports whether p names, on the overlay mounted from stack
// (its upper first, then the lowers top to bottom), a directory that a
// lower layer provides: a lower or merged directory, in overlayfs.rst's
// words, the kind rename(2) cannot move without redirect_dir. A directory
// only the upper holds (made there, or opaque there) is not one.
//
// It reads the layers as overlayfs.rst's "Directories" and "whiteouts and
// opaque directories" describe the lookup: for each component of p, the
// layers are looked at top to bottom; a whiteout or a non-directory ends
// the search below it (a non-directory names p only if no layer above had
// a directory), an opaque directory is the last layer merged. Redirects are
// not followed: they exist only where redirect_dir is on, and then the
// EXDEV this answers for does not apply. Where the answer is not certain (a
// symlink in the path, a layer it cannot read) it is false, so that an
// expectation built on it explains less, never more.
func ovlLowerDir(stack []string, p string) bool {
	if len(stack) < 2 {
		return false
	}
	rel := fsop.CleanRel(p)
	if rel == "." {
		return false // the root is merged, but it cannot be renamed
	}
	in := make([]int, len(stack)) // the layers the directory so far is merged from
	for i := range in {
		in[i] = i
	}
	cur := ""
	comps := strings.Split(rel, "/")
	for n, name := range comps {
		cur = filepath.Join(cur, name)
		var next []int
		for _, i := range in {
			full := filepath.Join(stack[i], cur)
			var st unix.Stat_t
			if err := unix.Lstat(full, &st); err != nil {
				if err == unix.ENOENT {
					continue
				}
				return false
			}
			if ovlIsWhiteout(full, &st) {
				break
			}
			if st.Mode&unix.S_IFMT != unix.S_IFDIR {
				if len(next) == 0 && n < len(comps)-1 {
					return false // a non-directory in the middle of the path
				}
				break
			}
			next = append(next, i)
			if ovlIsOpaque(full) {
				break
			}
		}
		if len(next) == 0 {
			return false
		}
		in = next
	}
	for _, i := range in {
		if i > 0 {
			return true
		}
	}
	return false
}

// ovlIsWhiteout: a 0/0 character device, or a zero-size file with the
// overlay.whiteout xattr (in either namespace).
func ovlIsWhiteout(full string, st *unix.Stat_t) bool {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		return st.Rdev == 0
	case unix.S_IFREG:
		return st.Size == 0 && (hasXattr(full, "trusted.overlay.whiteout") || hasXattr(full, "user.overlay.whiteout"))
	}
	return false
}

// ovlIsOpaque: the overlay.opaque xattr is "y" (in either namespace). An
// "x" only marks a merged directory that holds xattr whiteouts.
func ovlIsOpaque(full string) bool {
	for _, name := range []string{"trusted.overlay.opaque", "user.overlay.opaque"} {
		buf := make([]byte, 8)
		if n, err := unix.Lgetxattr(full, name, buf); err == nil && string(buf[:n]) == "y" {
			return true
		}
	}
	return false
}

func hasXattr(full, name string) bool {
	_, err := unix.Lgetxattr(full, name, nil)
	return err == nil
}
