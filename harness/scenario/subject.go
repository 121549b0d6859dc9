package scenario

import (
	"path"

	"github.com/layercheck/layercheck/harness/fsop"
)

// SubjectClash says why s cannot test on this base what it was written
// for ("" if it can): a path its ops name, or a directory above one, that
// the user's tree holds otherwise than the fixture (Clashes), or holds
// where the fixture has nothing. A fixture base never clashes.
func (b *Base) SubjectClash(s Scenario) string {
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
