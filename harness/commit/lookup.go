package commit

import (
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Lookups in the lowers, the way overlayfs's ovl_lookup walks them
// (fs/overlayfs/namei.c): the layers are looked at top to bottom; a
// whiteout ends the lookup, a non-directory ends it below a directory, an
// opaque directory is the last one merged, and a redirect changes the name
// that the layers below are asked for. The other formats have no
// redirects, and the same rules otherwise.

// cand is where one layer may hold the next entry of a lookup.
type cand struct {
	layer int
	rel   string
	walk  bool // the directories above rel are not yet known to be there
}

// childCands asks each directory of a merged directory for name.
func childCands(dirs []loc, name string) []cand {
	out := make([]cand, len(dirs))
	for i, d := range dirs {
		out[i] = cand{layer: d.layer, rel: path.Join(d.rel, name)}
	}
	return out
}

// absCands asks every layer from `from` down for the path abs (relative
// to the layer roots), walking it from each root.
func (s *stack) absCands(from int, abs string) []cand {
	var out []cand
	for l := from; l < len(s.roots); l++ {
		out = append(out, cand{layer: l, rel: abs, walk: true})
	}
	return out
}

// found is what the lowers show for one lookup.
type found struct {
	top  *ent  // the entry shown; nil for none
	dirs []loc // top is a directory: the directories merged into it, top first
	rest []cand
}

// lookup runs the candidates top to bottom.
func (s *stack) lookup(cands []cand) (found, error) {
	var r found
	for i := 0; i < len(cands); i++ {
		e, stop, err := s.probeCand(cands[i])
		if err != nil {
			return r, err
		}
		if err := s.followWayRedirects(cands[i], cands[i+1:]); err != nil {
			return r, err
		}
		switch e.kind {
		case kWhiteout:
			return r, nil
		case kOther:
			if r.top == nil {
				r.top, r.rest = &e, cands[i+1:]
			}
			return r, nil // a non-directory ends a directory's merge too
		case kDir:
			if r.top == nil {
				r.top = &e
			}
			r.dirs = append(r.dirs, loc{e.layer, e.rel})
			if e.opaque {
				return r, nil
			}
			if e.redirect != "" {
				next, abs, err := s.redirected(cands[i+1:], e)
				if err != nil {
					return r, err
				}
				cands = append(cands[:i+1:i+1], next...)
				// ovl_check_redirect: an absolute redirect resumes a
				// lookup that an opaque ancestor had stopped.
				stop = stop && !abs
			}
		}
		if stop {
			return r, nil
		}
	}
	return r, nil
}

// probeCand probes one candidate; stop says that the layers below it are
// hidden (an ancestor on the way was a whiteout, a non-directory or
// opaque).
func (s *stack) probeCand(c cand) (ent, bool, error) {
	stop := false
	if c.walk && c.rel != "." {
		comps := strings.Split(c.rel, "/")
		for i := 1; i < len(comps); i++ {
			a, err := s.probe(c.layer, strings.Join(comps[:i], "/"))
			if err != nil {
				return a, false, err
			}
			switch {
			case a.kind == kMissing:
				return ent{layer: c.layer, rel: c.rel}, stop, nil
			case a.kind != kDir:
				return ent{layer: c.layer, rel: c.rel}, true, nil
			case a.opaque:
				stop = true
			}
		}
	}
	e, err := s.probe(c.layer, c.rel)
	return e, stop, err
}

// redirected turns the candidates below e (a directory or metacopy file
// with a redirect) into those the redirect names; abs reports an absolute
// redirect.
func (s *stack) redirected(rest []cand, e ent) ([]cand, bool, error) {
	r := e.redirect
	if strings.HasPrefix(r, "/") {
		rel := strings.Trim(r, "/")
		for _, c := range strings.Split(rel, "/") {
			if !validName(c) {
				return nil, true, fmt.Errorf("%s: invalid redirect %q", s.full(e.layer, e.rel), r)
			}
		}
		return s.absCands(e.layer+1, rel), true, nil
	}
	if !validName(r) {
		return nil, false, fmt.Errorf("%s: invalid redirect %q", s.full(e.layer, e.rel), r)
	}
	out := make([]cand, len(rest))
	for i, c := range rest {
		out[i] = cand{layer: c.layer, rel: path.Join(path.Dir(c.rel), r), walk: c.walk}
	}
	return out, false, nil
}

// dataOf finds the data of a metacopy file: the first regular file
// without overlay.metacopy among the candidates, following redirects.
func (s *stack) dataOf(of ent, cands []cand) (ent, error) {
	for i := 0; i < len(cands); i++ {
		e, stop, err := s.probeCand(cands[i])
		if err != nil {
			return e, err
		}
		switch {
		case e.kind == kMissing && !stop:
			continue
		case e.kind == kOther && e.st.Mode&unix.S_IFMT == unix.S_IFREG:
			if !e.metacopy {
				return e, nil
			}
			if e.redirect != "" {
				next, _, err := s.redirected(cands[i+1:], e)
				if err != nil {
					return e, err
				}
				cands = append(cands[:i+1:i+1], next...)
			}
			continue
		}
		break
	}
	return ent{}, fmt.Errorf("%s: metacopy file without data in the lowers", s.full(of.layer, of.rel))
}

// followWayRedirects renames, in the walked candidates below c, the path
// that c walks where a directory on its way (not its last component) is
// renamed in c's layer: ovl_lookup_single follows a redirect at every
// step of a path, so the layers below are asked for the path the
// redirects give (an absolute redirect to /srv/d2/a/b through a layer
// whose srv/d2 came from srv/deep reads srv/deep/a/b further down).
func (s *stack) followWayRedirects(c cand, rest []cand) error {
	if !c.walk || !strings.Contains(c.rel, "/") {
		return nil
	}
	comps := strings.Split(c.rel, "/")
	lower, moved, gone := "", false, false // the way as the layers below name it
	for i := 0; i < len(comps)-1; i++ {
		var a ent
		if !gone {
			var err error
			if a, err = s.probe(c.layer, strings.Join(comps[:i+1], "/")); err != nil {
				return err
			}
		}
		switch {
		case gone || a.kind == kMissing:
			// ovl_lookup_layer stops in this layer, and the layers
			// below take the rest of the way from the redirect so far.
			gone = true
			lower = path.Join(lower, comps[i])
			continue
		case a.kind != kDir || a.opaque:
			return nil // the layers below are hidden: nothing to rename
		case a.redirect == "":
			lower = path.Join(lower, comps[i])
		case strings.HasPrefix(a.redirect, "/"):
			lower, moved = strings.Trim(a.redirect, "/"), true
		default:
			lower, moved = path.Join(path.Dir(path.Join(lower, comps[i])), a.redirect), true
		}
	}
	if !moved {
		return nil
	}
	renamed := path.Join(lower, comps[len(comps)-1])
	for j := range rest {
		if rest[j].walk && rest[j].rel == c.rel {
			rest[j].rel = renamed
		}
	}
	return nil
}
