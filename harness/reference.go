package harness

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// A scenario's reference holds only what its ops can change: the
// subtrees of the paths its ops name (unitOf; and of every other name of a
// hardlink in them, so that a group stays whole), with the directories
// above them as bare copies that keep their owner, mode and xattrs (the
// access to what lies beneath depends on them). Its snapshot is that copy's, spliced into the base's
// snapshot taken once per run with the access matrix (Base.Probed): an
// entry no op can reach is the base's, and so is its access, since the
// reference is a plain directory on the same filesystem as the base.
//
// Where an op could reach beyond the paths it names (through a symlink of
// the base or one the scenario makes, or an op on the root), and with
// Config.FullReference, Keep (a kept reference is read by people) or the
// extract builder (which reads the whole reference), the reference is a
// whole copy of the base, as it always was.

// prepareReference makes the reference at refDir.
func (r *scenarioRun) prepareReference(refDir string) (err error) {
	units, ok := r.referenceUnits()
	if !ok {
		if err := fsop.CopyTree(r.cfg.idmapBaseSource(r.base.Dir), refDir); err != nil { // idmapped.go
			return err
		}
		if r.readsCopiesByIdents() && r.cfg.Idmap == nil && !r.cfg.FullReference {
			// Taken before any op: what keeps them holds the base's content.
			r.refIdents, err = snapshot.TakeIdents(refDir)
		}
		return err
	}
	// Not nil, even with no unit (a scenario without ops, the standing
	// one): nil means the whole copy (snapshotReference).
	r.refUnits, r.refAbove = append([]string{}, units...), map[string]bool{".": true}
	var above []string
	for _, u := range units {
		for d := path.Dir(u); d != "."; d = path.Dir(d) {
			if !r.refAbove[d] {
				r.refAbove[d] = true
				above = append(above, d)
			}
		}
	}
	return buildBeneath(r.base.Dir, refDir, above, func() error { return fsop.CopyTrees(r.base.Dir, refDir, inBase(r.base.Sealed(), units)) })
}

// inBase lists the units the base holds (a unit at the root may be a name
// only the scenario's ops make: there is nothing to copy of it).
func inBase(base *snapshot.Snapshot, units []string) []string {
	var out []string
	for _, u := range units {
		if _, ok := base.Entries[u]; ok {
			out = append(out, u)
		}
	}
	return out
}

// buildBeneath makes dst a partial copy of the directory src: dst and the
// directories above (relative paths of src's directories) bare, then fill
// puts the subtrees beneath them, then every directory made here takes
// src's owner, mode and xattrs, children first (a 0500 parent stays
// fillable) and dst last. The reference and the commit check's partial
// image (commitpartial.go) are made this way.
func buildBeneath(src, dst string, above []string, fill func() error) error {
	above = slices.Sorted(slices.Values(above)) // parents first
	if err := os.Mkdir(dst, 0o700); err != nil {
		return err
	}
	for _, d := range above {
		if err := os.Mkdir(filepath.Join(dst, d), 0o700); err != nil {
			return err
		}
	}
	if err := fill(); err != nil {
		return err
	}
	for i := len(above) - 1; i >= 0; i-- {
		if err := fsop.CopyDirMeta(filepath.Join(src, above[i]), filepath.Join(dst, above[i])); err != nil {
			return err
		}
	}
	return fsop.CopyDirMeta(src, dst)
}

// snapshotReference snapshots the reference as it stands. A whole copy
// whose identities were taken as it was made (a scenario that compares
// times, one whose ops reach the root or pass a symlink) takes from the
// base's probed snapshot what no op reached and still has them
// (snapshot.Prior.Idents), as a scenario's copy of layer 0 does.
func (r *scenarioRun) snapshotReference() (*snapshot.Snapshot, error) {
	opts := snapshot.SnapshotOptions{Identities: r.base.Identities}
	if r.refUnits == nil && r.refIdents != nil {
		if base, err := r.base.Probed(); err == nil {
			opts.Prior = r.copyPrior(base, r.refIdents)
		}
	}
	s, err := snapshot.TakeSnapshot(r.ref.Dir, opts)
	if err != nil || r.refUnits == nil {
		return s, err
	}
	base, err := r.base.Probed()
	if err != nil {
		return nil, err
	}
	return snapshot.Splice(base, s, r.refOwns), nil
}

// plainReference is the reference as it stands without the access probes
// (the commit check compares no access): the copy's snapshot, spliced
// into the base's where the copy holds only what the ops reach, as
// snapshotReference splices it.
func (r *scenarioRun) plainReference() (*snapshot.Snapshot, error) {
	s, err := snapshot.TakeSnapshot(r.ref.Dir, snapshot.SnapshotOptions{})
	if err != nil || r.refUnits == nil {
		return s, err
	}
	return snapshot.Splice(r.base.Sealed(), s, r.refOwns), nil
}

// refOwns reports whether the reference copy holds p (the base's
// snapshot stands for every other path).
func (r *scenarioRun) refOwns(p string) bool {
	if r.refAbove[p] {
		return true
	}
	for _, u := range r.refUnits {
		if p == u || strings.HasPrefix(p, u+"/") {
			return true
		}
	}
	return false
}

// referenceUnits lists the subtrees of the base the reference copies, or
// false for a whole copy.
func (r *scenarioRun) referenceUnits() ([]string, bool) {
	base := r.base.Sealed()
	if r.cfg.FullReference || r.cfg.Keep || r.cfg.Extracting() || base == nil {
		return nil, false
	}
	if r.timesCompared() {
		// The base's snapshot was taken once, at the start of the run:
		// its times are not the times this scenario's copy starts from
		// (the copy sets them anew), so a scenario that compares times
		// takes the whole copy.
		return nil, false
	}
	return opUnits(base, r.s)
}

// opUnits lists the subtrees of base that the ops of s can change (what
// they name, unitOf, and every name of a hardlink group in them), or false
// when an op can reach beyond them or names the root.
// The reference copies them; the merged view reads them in full
// (baseview.go). A batch's are worked out slot by slot (batchslots.go).
func opUnits(base *snapshot.Snapshot, s scenario.Scenario) ([]string, bool) {
	if isBatch(s) {
		return batchUnits(base, s)
	}
	return singleUnits(base, s)
}

// singleUnits is opUnits for one scenario.
func singleUnits(base *snapshot.Snapshot, s scenario.Scenario) ([]string, bool) {
	made := madeSymlinks(s)
	units := map[string]bool{}
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			for _, p := range op.Paths() {
				if slices.Contains(strings.Split(p, "/"), "..") {
					return nil, false // resolved, ".." may climb out of a symlink's target
				}
				p = fsop.CleanRel(p)
				if throughSymlink(base, made, p, !onName(op)) {
					return nil, false
				}
				units[unitOf(base, p)] = true
			}
		}
	}
	closeLinkGroups(base, units)
	if units["."] {
		return nil, false
	}
	return outermost(units), true
}

// onName reports whether op acts on the last name of each of its paths
// itself, never on what a symlink there points to: these resolve the
// directory holding the name and act on the name in it (fsop.Tree.WithParent:
// unlinkat, renameat2, fchownat with AT_SYMLINK_NOFOLLOW, symlinkat,
// linkat without AT_SYMLINK_FOLLOW, rm -rf's walk that never follows).
func onName(op fsop.Op) bool {
	switch op.(type) {
	case fsop.Remove, fsop.RemoveAll, fsop.Rename, fsop.Lchown, fsop.RawLchown, fsop.Symlink, fsop.Link:
		return true
	}
	return false
}

// madeSymlinks lists the paths the scenario's ops make symlinks at.
func madeSymlinks(s scenario.Scenario) map[string]bool {
	out := map[string]bool{}
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			if sl, ok := op.(fsop.Symlink); ok {
				out[fsop.CleanRel(sl.Path)] = true
			}
		}
	}
	return out
}

// throughSymlink reports whether a directory above p (or, with last, p
// itself) is a symlink, in the base or made by the scenario: an op there
// may reach elsewhere.
func throughSymlink(base *snapshot.Snapshot, made map[string]bool, p string, last bool) bool {
	q := p
	if !last {
		q = path.Dir(p)
	}
	for ; q != "." && q != "/"; q = path.Dir(q) {
		if made[q] || base.Entries[q].Type == "symlink" {
			return true
		}
	}
	return false
}

// unitOf is the subtree an op on p can change: that of the name at p's
// place in the nearest directory of the base above p (p itself, what the
// base holds there or nothing: a name the scenario makes, or the first
// name on p's way that is no directory of the base). An op on p changes
// that name and the entry of the directory holding it, which is always
// read (the directories above every unit are), not the other names beside
// it. The root itself (an op on ".") is the whole tree. p is clean
// (fsop.CleanRel).
func unitOf(base *snapshot.Snapshot, p string) string {
	if p == "." {
		return "."
	}
	d := path.Dir(p)
	for d != "." && base.Entries[d].Type != "dir" {
		d = path.Dir(d)
	}
	rest := p
	if d != "." {
		rest = strings.TrimPrefix(p, d+"/")
	}
	name, _, _ := strings.Cut(rest, "/")
	return fsop.Join(d, name)
}

// closeLinkGroups adds the unit of every other name of a hardlink whose
// name lies in a unit, until every group lies in units whole.
func closeLinkGroups(base *snapshot.Snapshot, units map[string]bool) {
	in := func(p string) bool {
		for q := p; ; q = path.Dir(q) {
			if units[q] {
				return true
			}
			if q == "." || q == "/" {
				return false
			}
		}
	}
	for changed := true; changed && !units["."]; {
		changed = false
		for p, e := range base.Entries {
			if len(e.Links) == 0 || !in(p) {
				continue
			}
			for _, q := range e.Links {
				if !in(q) {
					units[unitOf(base, q)] = true
					changed = true
				}
			}
		}
	}
}

// outermost lists the units that lie in no other unit.
func outermost(units map[string]bool) []string {
	var out []string
	for u := range units {
		inner := false
		for d := path.Dir(u); d != "." && !inner; d = path.Dir(d) {
			inner = units[d]
		}
		if !inner {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}
