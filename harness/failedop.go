package harness

// KindFailedOpCopyUp is a failed op that changed the upper layer: an op that
// the merged view refused (EPERM, EACCES, ENOENT, ...) must leave the stack
// exactly as it was, so it must not copy anything up, create a whiteout or
// touch a parent directory in the upper.
//
// Why a kind of its own, read off the upper before and after the op, rather
// than the snapshot comparison every scenario makes: a copy-up keeps type,
// mode, owner, data and xattrs, so a spurious one looks in the merged view
// exactly like no copy-up at all; the snapshots cannot tell. It shows only
// in the upper directory, and only around the op that failed (later ops
// copy up legitimately). Its consequences are real though: the copied-up
// file now hides every later change made to the layers below (a base image
// update, an offline fix), it breaks hardlinks without index=on, and it
// lets an identity without any right on a file make the filesystem write.
const KindFailedOpCopyUp = "failed-op-copy-up"

// upperState reads, in the upper directory of the mount that the current
// phase's ops go through, what op can change there: its paths and their
// parents (TakePathSnapshot; reading the whole upper before every op made
// a layer of n ops cost n² reads). It is nil when the phase has no upper
// (layer 0 is built directly on a plain directory), and for remove-all,
// whose partial success before a failure legitimately whites out children.
func (r *scenarioRun) upperState(op Op) *Snapshot {
	if r.phaseUpper == "" || op.Kind() == "remove-all" {
		return nil
	}
	s, err := TakePathSnapshot(r.phaseUpper, op.Paths())
	if err != nil {
		return nil
	}
	return s
}

// checkFailedOp records a KindFailedOpCopyUp finding for every change of
// the upper directory since before, when op failed on the merged view with
// outcome out.
func (r *scenarioRun) checkFailedOp(phase string, op Op, out Outcome, before *Snapshot) {
	if out == OK || before == nil {
		return
	}
	after, err := TakePathSnapshot(r.phaseUpper, op.Paths())
	if err != nil {
		return
	}
	fs := CompareAs(KindFailedOpCopyUp, phase, before, after)
	for i := range fs {
		fs[i].Field = string(out) + ", yet upper " + fs[i].Field
		fs[i].Op = op.Shell()
	}
	if r.cfg.Backend != nil { // known issues tag them
		r.explain(fs, &Evidence{Op: op, Stack: r.stack, Upper: r.phaseUpper})
	}
	r.findings = append(r.findings, fs...)
}
