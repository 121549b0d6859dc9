package commit

import (
	"path"
	"sort"
)

// What the walk of an upper yields, in tar order: parents before
// children, a directory's children by name, an opaque marker right after
// its directory.
const (
	itemEntry    = iota // an entry of the merged view that the layer carries
	itemWhiteout        // the layer deletes the name
	itemOpaque          // the layer's directory hides everything below it
)

type item struct {
	path  string // in the merged view; "." is the root
	kind  int
	src   ent  // itemEntry: where the entry (its metadata) is
	data  ent  // itemEntry, regular files: where its bytes are (a lower for metacopy)
	under *ent // itemEntry from the upper: the lower entry it shadows, if any
}

// walker reads an upper against its lowers and yields the layer's items.
//
// Below a directory whose merged content is what the lowers show there
// (its lowers, as merged, are the directories a plain copy of the lowers
// has at its path), the upper is a difference and is carried as one:
// whiteouts as whiteouts, entries as entries. A directory whose merged
// content comes from elsewhere (it was renamed: redirect), or from nothing
// (opaque), is carried whole, with an opaque marker: every entry the
// merged view shows beneath it.
type walker struct {
	s    *stack
	emit func(item) error
}

func (w *walker) run() error {
	root, err := w.s.probe(0, ".")
	if err != nil {
		return err
	}
	var lowers []loc
	for l := 1; l < len(w.s.roots); l++ {
		lowers = append(lowers, loc{l, "."})
	}
	it := item{path: ".", kind: itemEntry, src: root}
	if len(lowers) > 0 {
		under, err := w.s.probe(1, ".")
		if err != nil {
			return err
		}
		it.under = &under
	}
	if err := w.emit(it); err != nil {
		return err
	}
	return w.diffDir(".", lowers)
}

// diffDir yields the upper's records in directory p, whose lowers (as a
// plain copy of them shows p, and as the merged view does) are dirs.
func (w *walker) diffDir(p string, dirs []loc) error {
	names, err := w.s.names(0, p)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := w.diffChild(p, n, dirs); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) diffChild(p, name string, dirs []loc) error {
	cp := join(p, name)
	u, err := w.s.probe(0, cp)
	if err != nil {
		return err
	}
	switch u.kind {
	case kWhiteout:
		return w.emit(item{path: cp, kind: itemWhiteout})
	case kMissing:
		return w.virtualDir(cp, dirs)
	case kOther:
		return w.file(cp, u, dirs)
	}
	plain, err := w.s.lookup(childCands(dirs, name))
	if err != nil {
		return err
	}
	merged, under, err := w.upperDir(u, dirs, plain)
	if err != nil {
		return err
	}
	if err := w.emit(item{path: cp, kind: itemEntry, src: u, under: under}); err != nil {
		return err
	}
	if sameLocs(merged, plain.dirs) {
		return w.diffDir(cp, merged)
	}
	if err := w.emit(item{path: cp, kind: itemOpaque}); err != nil {
		return err
	}
	return w.fullDir(cp, merged)
}

// upperDir returns the lower directories merged into the upper directory
// u (a child of the merged directory made of dirs; plain is what the
// lowers alone show at its path), and the lower entry it shadows.
func (w *walker) upperDir(u ent, dirs []loc, plain found) ([]loc, *ent, error) {
	switch {
	case u.opaque:
		return nil, plain.top, nil
	case u.redirect != "":
		next, _, err := w.s.redirected(childCands(dirs, path.Base(u.rel)), u)
		if err != nil {
			return nil, nil, err
		}
		r, err := w.s.lookup(next)
		return r.dirs, r.top, err
	}
	return plain.dirs, plain.top, nil
}

// virtualDir handles a name the upper records nothing for itself but
// holds records beneath: unionfs-fuse's markers of paths inside a lower
// directory that the upper has no copy of. The directory is carried with
// the metadata the lowers give it, so that the markers have a parent.
func (w *walker) virtualDir(cp string, dirs []loc) error {
	if w.s.f != UnionfsFuse {
		return nil
	}
	if m, err := w.s.probe(0, path.Join(unionfsMeta, cp)); err != nil || m.kind != kDir {
		return err
	}
	plain, err := w.s.lookup(childCands(dirs, path.Base(cp)))
	if err != nil || plain.top == nil || plain.top.kind != kDir {
		return err
	}
	if err := w.emit(item{path: cp, kind: itemEntry, src: *plain.top}); err != nil {
		return err
	}
	return w.diffDir(cp, plain.dirs)
}

// file yields the upper non-directory u, a child of the merged directory
// made of dirs.
func (w *walker) file(cp string, u ent, dirs []loc) error {
	cands := childCands(dirs, path.Base(cp))
	it := item{path: cp, kind: itemEntry, src: u, data: u}
	if u.metacopy {
		from := cands
		if u.redirect != "" {
			var err error
			if from, _, err = w.s.redirected(cands, u); err != nil {
				return err
			}
		}
		data, err := w.s.dataOf(u, from)
		if err != nil {
			return err
		}
		it.data = data
		cands = from
	}
	under, err := w.s.lookup(cands)
	if err != nil {
		return err
	}
	it.under = under.top
	return w.emit(it)
}

// fullDir yields every entry the merged view shows beneath p, whose lower
// directories are dirs.
func (w *walker) fullDir(p string, dirs []loc) error {
	set := map[string]bool{}
	for _, l := range append([]loc{{0, p}}, dirs...) {
		names, err := w.s.names(l.layer, l.rel)
		if err != nil {
			return err
		}
		for _, n := range names {
			set[n] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := w.fullChild(p, n, dirs); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) fullChild(p, name string, dirs []loc) error {
	cp := join(p, name)
	u, err := w.s.probe(0, cp)
	if err != nil {
		return err
	}
	switch u.kind {
	case kWhiteout:
		return nil
	case kOther:
		return w.file(cp, u, dirs)
	case kDir:
		plain, err := w.s.lookup(childCands(dirs, name))
		if err != nil {
			return err
		}
		merged, under, err := w.upperDir(u, dirs, plain)
		if err != nil {
			return err
		}
		if err := w.emit(item{path: cp, kind: itemEntry, src: u, under: under}); err != nil {
			return err
		}
		return w.fullDir(cp, merged)
	}
	return w.lowerChild(cp, dirs)
}

// lowerChild yields what the lowers alone show at cp.
func (w *walker) lowerChild(cp string, dirs []loc) error {
	r, err := w.s.lookup(childCands(dirs, path.Base(cp)))
	if err != nil || r.top == nil {
		return err
	}
	it := item{path: cp, kind: itemEntry, src: *r.top, data: *r.top}
	if r.top.kind == kDir {
		if err := w.emit(it); err != nil {
			return err
		}
		return w.fullDir(cp, r.dirs)
	}
	if r.top.metacopy {
		from := r.rest
		if r.top.redirect != "" {
			if from, _, err = w.s.redirected(r.rest, *r.top); err != nil {
				return err
			}
		}
		if it.data, err = w.s.dataOf(*r.top, from); err != nil {
			return err
		}
	}
	return w.emit(it)
}

// sameLocs reports whether two merges are made of the same directories.
func sameLocs(a, b []loc) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func join(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}
