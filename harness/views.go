package harness

import (
	"fmt"
	"sort"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// snapshotMerged snapshots the live merged view, with the access matrix
// and direct lookups of every name any layer or the reference holds.
// ref is the reference as it stands, lowers the read-only layers as
// snapshotLowers read them before this mount.
func (r *scenarioRun) snapshotMerged(ref *snapshot.Snapshot, lowers []*snapshot.Snapshot) (*snapshot.Snapshot, error) {
	s, err := snapshot.TakeSnapshot(r.target, snapshot.SnapshotOptions{Identities: r.base.Identities, Prior: r.prior()}) // baseview.go
	if err != nil {
		return nil, err
	}
	countReuse(s) // baseview.go
	s.Lookup(r.target, r.lookupCandidates(ref, lowers))
	return s, nil
}

// lookupCandidates are the names a deleted or hidden entry could come back
// under: every path of every layer, of the runtime upper and of ref.
func (r *scenarioRun) lookupCandidates(ref *snapshot.Snapshot, lowers []*snapshot.Snapshot) []string {
	set := map[string]bool{}
	for p := range ref.Entries {
		set[p] = true
	}
	for _, s := range lowers {
		if s != nil {
			for p := range s.Entries {
				set[p] = true
			}
		}
	}
	for _, st := range r.s.Steps {
		for _, op := range st.Ops {
			for _, p := range op.Paths() {
				set[fsop.CleanRel(p)] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// named lists the paths that the scenario's ops name and would copy up
// (every op but a removal, which leaves a whiteout and copies nothing).
func (r *scenarioRun) named() map[string]bool {
	out := map[string]bool{}
	for _, st := range r.s.Steps {
		for _, op := range st.Ops {
			if k := op.Kind(); k == "remove" || k == "remove-all" {
				continue
			}
			for _, p := range op.Paths() {
				out[fsop.CleanRel(p)] = true
			}
		}
	}
	return out
}

// snapshotLowers records every read-only layer of this scenario, and the
// hardlink groups they hold (for Evidence.LowerLinks).
func (r *scenarioRun) snapshotLowers() ([]*snapshot.Snapshot, error) {
	r.lowerLinks = map[string][]string{}
	out := make([]*snapshot.Snapshot, len(r.layers))
	for k, l := range r.layers {
		if k == 0 && l == r.base.Dir {
			out[k] = r.base.Sealed()
			continue
		}
		var opts snapshot.SnapshotOptions
		if k == 0 && l == r.layer0Copy && r.layer0Idents != nil {
			opts.Prior = r.copyPrior(r.base.Sealed(), r.layer0Idents) // baseview.go
		}
		s, err := snapshot.TakeSnapshot(l, opts)
		if err != nil {
			return nil, err
		}
		out[k] = s
	}
	for _, s := range out {
		if s == nil {
			continue
		}
		for p, e := range s.Entries {
			r.lowerLinks[p] = append(r.lowerLinks[p], e.Links...)
		}
	}
	return out, nil
}

// checkLowers reports every change of a read-only layer since before. A
// layer whose stamps (stat of every entry, see stamp.go) have not moved is
// unchanged; only a layer whose stamps moved is snapshotted again and
// compared, to say what changed.
func (r *scenarioRun) checkLowers(phase string, before []*snapshot.Snapshot) error {
	for k, l := range r.layers {
		if before[k] == nil {
			continue
		}
		if before[k].Unchanged(l) {
			continue
		}
		after, err := snapshot.TakeSnapshot(l, snapshot.SnapshotOptions{})
		if err != nil {
			return err
		}
		fs := snapshot.CompareAs(snapshot.KindLowerModified, phase, before[k], after)
		for i := range fs {
			fs[i].Path = fmt.Sprintf("layer %d: %s", k, fs[i].Path)
		}
		r.findings = append(r.findings, fs...)
	}
	return nil
}
