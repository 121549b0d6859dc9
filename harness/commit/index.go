package commit

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Overlayfs with index=on copies a lower hardlink up once for all its
// names (overlayfs.rst, "Hardlinks"): the upper holds the name that was
// copied up, marked with overlay.nlink, and the index entry in the work
// directory; every other lower name of that inode still looked up in the
// lowers shows the upper inode. The upper alone does not say so: Write
// adds those names as TypeLink entries to the upper name, after the walk.
//
// The lower inode is the one at the upper name's own path, or, for a name
// renamed after its copy-up, the one its overlay.origin handle names
// (origin.go); a lower name is linked where the merged view shows it at
// its own path (not beneath a renamed directory).

// indexed is an upper name that index=on shares with lower names.
type indexed struct {
	name  string // in the merged view and the tar
	lower ent    // the lower inode it was copied up from
}

// noteIndexed remembers the upper entry of it if it is a copied-up lower
// hardlink.
func (o *tarOut) noteIndexed(it item) error {
	if !o.s.f.isOverlay() || it.src.layer != 0 || it.src.st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil
	}
	fd, err := o.s.open(0, it.src.rel, unix.O_PATH)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	_, ok, err := getXattr(fdPath(fd), o.s.f.ovlPrefix()+"nlink")
	if !ok || err != nil {
		return err
	}
	lower := it.under
	if lower == nil || lower.kind != kOther || lower.st.Nlink < 2 {
		// Renamed after its copy-up: its origin names the lower inode.
		if lower, err = o.s.lowerByOrigin(it.src.rel); lower == nil || err != nil {
			return err
		}
	}
	o.indexed = append(o.indexed, indexed{name: it.path, lower: *lower})
	return nil
}

// linkIndexed writes the TypeLink entries of the lower names that show an
// indexed upper inode.
func (o *tarOut) linkIndexed(w *walker) error {
	var links [][2]string // name, target
	for _, ix := range o.indexed {
		names, err := o.s.namesOfInode(ix.lower)
		if err != nil {
			return err
		}
		for _, n := range names {
			// The name copied up (or renamed away) shows the upper
			// entry, or nothing: only the names still shown from the
			// lower inode are linked.
			shown, err := w.resolve(n)
			if err != nil {
				return err
			}
			if shown != nil && shown.layer == ix.lower.layer && shown.rel == n {
				links = append(links, [2]string{n, ix.name})
			}
		}
	}
	sort.Slice(links, func(i, j int) bool { return links[i][0] < links[j][0] })
	for _, l := range links {
		if err := o.out.entry(linkHeader(l[0], l[1]), nil); err != nil {
			return err
		}
	}
	return nil
}

// namesOfInode lists the names that e's layer has for e's inode.
func (s *stack) namesOfInode(e ent) ([]string, error) {
	root := s.roots[e.layer]
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		if st.Dev == e.st.Dev && st.Ino == e.st.Ino {
			rel, err := filepath.Rel(root, p)
			out = append(out, rel)
			return err
		}
		return nil
	})
	return out, err
}

// resolve returns the entry the merged view shows at p, nil for none.
func (w *walker) resolve(p string) (*ent, error) {
	var dirs []loc
	for l := 1; l < len(w.s.roots); l++ {
		dirs = append(dirs, loc{l, "."})
	}
	cur := "."
	for _, name := range strings.Split(p, "/") {
		cp := join(cur, name)
		u, err := w.s.probe(0, cp)
		if err != nil {
			return nil, err
		}
		var shown *ent
		switch u.kind {
		case kWhiteout:
			return nil, nil
		case kDir, kOther:
			shown = &u
		}
		plain, err := w.s.lookup(childCands(dirs, name))
		if err != nil {
			return nil, err
		}
		if shown == nil {
			shown = plain.top
		}
		if cp == p || shown == nil || shown.kind != kDir {
			if cp != p {
				shown = nil // a non-directory on the way
			}
			return shown, nil
		}
		if dirs = plain.dirs; shown.layer == 0 {
			if dirs, _, err = w.upperDir(u, dirs, plain); err != nil {
				return nil, err
			}
		}
		cur = cp
	}
	return nil, nil
}
