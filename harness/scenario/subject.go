package scenario

import (
	"path"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
)

// SubjectClash says why s cannot test on this base what it was written
// for ("" if it can): a path its ops name, or a directory above one, that
// the user's tree holds otherwise than the fixture (Clashes), or holds
// where the fixture has nothing. A fixture base never clashes.
func (b *Base) SubjectClash(s Scenario) string {
	if why := b.omittedSubject(s); why != "" {
		return why
	}
	if b.FixturePaths == nil {
		return ""
	}
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			for _, p := range op.Paths() {
				if why := b.pathClash(fsop.CleanRel(p)); why != "" {
					return "with this base: " + why
				}
			}
		}
	}
	return ""
}

// pathClash checks p and every directory above it.
func (b *Base) pathClash(p string) string {
	for ; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if why := b.Clashes[p]; why != "" {
			return why
		}
		if _, inBase := b.snap.Entries[p]; inBase && !b.FixturePaths[p] {
			return "the base holds " + p + ", which the fixture does not"
		}
	}
	return ""
}

// omittedSubject says why s cannot run on a base that left out an entry
// of its fixture that s names (a path its ops name, or one above it).
func (b *Base) omittedSubject(s Scenario) string {
	if len(b.Omitted) == 0 {
		return ""
	}
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			for _, p := range op.Paths() {
				for p := fsop.CleanRel(p); p != "." && p != "/" && p != ""; p = path.Dir(p) {
					if why := b.Omitted[p]; why != "" {
						return "the layout's base leaves out " + p + ": " + why
					}
				}
			}
		}
	}
	return ""
}

// OmittedNote lists, in one line, what the base left out ("" if nothing).
func (b *Base) OmittedNote() string {
	var ps []string
	for p, why := range b.Omitted {
		short := p
		if len(short) > 24 {
			short = short[:20] + "..."
		}
		ps = append(ps, short+" ("+why+")")
	}
	sort.Strings(ps)
	return strings.Join(ps, ", ")
}
