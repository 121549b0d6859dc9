package harness

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// add records findings seen in phase, explained by the backend's
// documented deviations.
func (r *scenarioRun) add(phase string, fs []snapshot.Finding, merged, ref *snapshot.Snapshot) {
	ev := &backend.Evidence{Ref: ref, Merged: merged, OfflineLower: r.offline, Upper: r.upper, Lowers: r.layers,
		LowerLinks: r.lowerLinks, Named: r.named(), LayerFS: r.layout.filesystems}
	for i := range fs {
		if fs[i].Stage == "" {
			fs[i].Stage = phase
		}
	}
	r.explain(fs, ev)
	r.findings = append(r.findings, fs...)
}

// explain marks fs with the backend's documented deviations and known issues.
func (r *scenarioRun) explain(fs []snapshot.Finding, ev *backend.Evidence) {
	var known []backend.KnownIssue
	if k, ok := r.cfg.Backend.(backend.KnownIssuer); ok {
		known = k.KnownIssues()
	}
	explain(fs, r.cfg.Backend.Expectations(), known, ev)
}

func dedupe(fs []snapshot.Finding) []snapshot.Finding {
	type key struct {
		kind                     snapshot.Kind
		path, field, ref, merged string
	}
	seen := map[key]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.Kind, f.Path, f.Field, f.Reference, f.Merged}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// opSite is where a phase's ops go: the phase, the tree they are applied
// through (the merged view, or layer 0 itself), and the upper directory of
// that mount ("" for layer 0), which the failed-op check watches.
type opSite struct {
	phase string
	sut   *fsop.Tree
	upper string
}

// lockstep applies op to the system under test, then to the reference, and
// records an errno finding when the outcomes differ. When the system under
// test refuses the op in a way its documentation describes (EXDEV for a
// directory rename without redirect_dir), the reference follows it and
// does not apply the op either, as a program that handles the documented
// error would leave things: the rest of the scenario then still tests
// everything else instead of drowning in consequences.
func (r *scenarioRun) lockstep(at opSite, op fsop.Op) {
	phase, sut := at.phase, at.sut
	srcType := fsop.TypeIn(r.ref, op.Paths()[0])
	upperBefore := upperState(at.upper, op)  // failedop.go
	idsBefore := r.identitiesBefore(sut, op) // inodes.go
	m := fsop.Apply(sut, op)
	r.viaBackend = r.viaBackend || r.mounted != nil
	r.checkFailedOp(at, op, m, upperBefore)
	rec := OpRecord{Stage: phase, Op: op.Shell(), Merged: m}
	if !op.Identity().IsRoot() {
		rec.As = op.Identity().String()
	}
	if m != fsop.OK {
		f := snapshot.Finding{Kind: snapshot.KindErrno, Path: op.Paths()[0], Field: op.Kind(), Reference: "not applied: the reference follows the documented outcome",
			Merged: string(m), Stage: phase, Op: op.Shell()}
		fs := []snapshot.Finding{f}
		r.explain(fs, &backend.Evidence{Op: op, SourceType: srcType, Stack: r.stack, LowerLinks: r.lowerLinks, Named: r.namedFor(op)})
		if fs[0].Expected() {
			rec.Reference = "skipped"
			r.ops = append(r.ops, rec)
			r.findings = append(r.findings, fs[0])
			return
		}
	}
	rec.Reference = fsop.Apply(r.ref, op)
	r.ops = append(r.ops, rec)
	if r.noteOutcome(phase, op, m, rec.Reference) { // crash.go: a crash finding, not an errno one
		return
	}
	if !sameOutcome(op, rec.Reference, m) { // layouts.go: POSIX's either-or errnos
		fs := []snapshot.Finding{{Kind: snapshot.KindErrno, Path: op.Paths()[0], Field: op.Kind(),
			Reference: string(rec.Reference), Merged: string(m), Stage: phase, Op: op.Shell()}}
		r.explain(fs, &backend.Evidence{Op: op, SourceType: srcType, Stack: r.stack, LowerLinks: r.lowerLinks, Named: r.namedFor(op)})
		r.findings = append(r.findings, fs...)
		return
	}
	r.checkKept(phase, sut, op, m, idsBefore) // inodes.go
}
