package harness

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// upperState reads, in the upper directory of the mount that a phase's
// ops go through (opSite.upper), what op can change there: its paths and their
// parents (TakePathSnapshot; reading the whole upper before every op made
// a layer of n ops cost n² reads). It is nil when the phase has no upper
// (layer 0 is built directly on a plain directory), and for remove-all,
// whose partial success before a failure legitimately whites out children.
func upperState(upper string, op fsop.Op) *snapshot.Snapshot {
	if upper == "" || op.Kind() == "remove-all" {
		return nil
	}
	s, err := snapshot.TakePathSnapshot(upper, op.Paths())
	if err != nil {
		return nil
	}
	return s
}

// checkFailedOp records a KindFailedOpCopyUp finding for every change of
// the upper directory at.upper since before, when op failed on the merged view with
// outcome out.
func (r *scenarioRun) checkFailedOp(at opSite, op fsop.Op, out fsop.Outcome, before *snapshot.Snapshot) {
	if out == fsop.OK || before == nil {
		return
	}
	after, err := snapshot.TakePathSnapshot(at.upper, op.Paths())
	if err != nil {
		return
	}
	fs := snapshot.CompareAs(snapshot.KindFailedOpCopyUp, at.phase, before, after)
	for i := range fs {
		fs[i].Field = string(out) + ", yet upper " + fs[i].Field
		fs[i].Op = op.Shell()
	}
	if r.cfg.Backend != nil { // known issues tag them
		r.explain(fs, &backend.Evidence{Op: op, Stack: r.stack, Upper: at.upper})
	}
	r.findings = append(r.findings, fs...)
}
