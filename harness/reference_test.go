package harness

import (
	"slices"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestUnitIsWhatTheOpNames: an op's unit is the name it acts on in the
// nearest directory of the base above it (the name itself, what the base
// holds there, or the first name on its way that the base lacks or holds
// as no directory), not the whole directory; an op on the root, or on a
// path with "..", or through a symlink (or on one, but for an op that
// acts on the name itself) reaches the whole tree; a hardlink's other
// names come with it.
func TestUnitIsWhatTheOpNames(t *testing.T) {
	base := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{
		".":              {Type: "dir"},
		"etc":            {Type: "dir"},
		"etc/hostname":   {Type: "file", Links: []string{"srv/h"}},
		"etc/passwd":     {Type: "file"},
		"srv":            {Type: "dir"},
		"srv/h":          {Type: "file", Links: []string{"etc/hostname"}},
		"srv/file":       {Type: "file"},
		"srv/deep":       {Type: "dir"},
		"srv/deep/inner": {Type: "file"},
		"srv/link":       {Type: "symlink", Target: "deep"},
	}}
	for p, want := range map[string]string{
		"etc/passwd":     "etc/passwd",
		"srv/deep":       "srv/deep",
		"srv/deep/inner": "srv/deep/inner",
		"srv/new/a/b":    "srv/new",
		"srv/file/x":     "srv/file",
		"top":            "top",
		"top/below":      "top",
		".":              ".",
	} {
		if got := unitOf(base, fsop.CleanRel(p)); got != want {
			t.Errorf("unitOf(%q) = %q, want %q", p, got, want)
		}
	}
	op := func(ops ...fsop.Op) scenario.Scenario {
		return scenario.Scenario{Steps: []scenario.Step{{Phase: scenario.PhaseRuntime, Ops: ops}}}
	}
	units, ok := opUnits(base, op(fsop.Chmod{Path: "etc/hostname", Mode: 0o600}, fsop.Mkdir{Path: "srv/deep/new", Mode: 0o755}))
	if want := []string{"etc/hostname", "srv/deep/new", "srv/h"}; !ok || !slices.Equal(units, want) {
		t.Errorf("units %v (%v), want %v", units, ok, want)
	}
	for _, p := range []string{".", "srv/deep/../file", "../outside", "srv/link", "srv/link/inner"} {
		if units, ok := opUnits(base, op(fsop.Chmod{Path: p, Mode: 0o700})); ok {
			t.Errorf("an op on %q: units %v, want the whole tree", p, units)
		}
	}
	// An op on a symlink's own name (not through it) reaches the name only.
	units, ok = opUnits(base, op(fsop.Remove{Path: "srv/link"}, fsop.Lchown{Path: "srv/link", UID: 1, GID: 1}))
	if want := []string{"srv/link"}; !ok || !slices.Equal(units, want) {
		t.Errorf("units %v (%v), want %v", units, ok, want)
	}
	if units, ok := opUnits(base, op(fsop.Remove{Path: "srv/link/inner"})); ok {
		t.Errorf("an op through a symlink: units %v, want the whole tree", units)
	}
}
