package harness

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// A crash is the backend failing by itself (snapshot.KindCrash): it is a
// finding of the scenario, which fails, not an error of the harness. Only
// what can be pinned on the backend counts: an op through a mount that
// returned EIO, ENOTCONN or ECONNABORTED where the reference succeeded,
// and what the backend's Mount and Unmount report as a *backend.CrashError
// (a daemon that died, a mount or unmount that hung). A deadline that the
// op loop noticed between two ops, or any other error, stays an error.

// errCrashed stops a scenario after an op crashed the backend: the ops
// after it would only fail on a dead mount.
var errCrashed = errors.New("the backend crashed")

// crashOp is the op through a mount that got a crash outcome.
type crashOp struct {
	phase          string
	op             fsop.Op
	merged, refOut fsop.Outcome
}

// lostConnection reports whether an op's outcome says the mount is gone:
// the FUSE connection was aborted or its daemon is dead.
func lostConnection(o fsop.Outcome) bool { return o == "ENOTCONN" || o == "ECONNABORTED" }

// noteOutcome reports whether an op through a mount failed in a way that
// is the backend's own, where the reference succeeded, and records it: a
// lost connection stops the scenario (crashed then says why the
// connection went); EIO from a mount that still serves is a crash finding
// of its own, and the scenario goes on. lockstep calls it for every op.
func (r *scenarioRun) noteOutcome(phase string, op fsop.Op, merged, ref fsop.Outcome) bool {
	if r.mounted == nil || ref != fsop.OK {
		return false
	}
	switch {
	case lostConnection(merged):
		if r.crash == nil {
			r.crash = &crashOp{phase: phase, op: op, merged: merged, refOut: ref}
		}
		return true
	case merged == "EIO":
		f := []snapshot.Finding{{Kind: snapshot.KindCrash, Field: "eio", Path: op.Paths()[0], Op: op.Shell(), Stage: phase,
			Reference: string(ref), Merged: "the op returned EIO (an I/O error from a mount that still serves)"}}
		r.explain(f, &backend.Evidence{Op: op, Stack: r.stack, LowerLinks: r.lowerLinks, Named: r.namedFor(op)})
		r.findings = append(r.findings, f...)
		return true
	}
	return false
}

// halted says why the op loop must stop: the scenario's context ended, or
// an op crashed the backend.
func (r *scenarioRun) halted() error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if r.crash != nil {
		return errCrashed
	}
	return nil
}

// crashed turns err, the error that ended the scenario, into a crash
// finding when the backend is to blame, and reports whether it did. It
// unmounts first: a daemon's death is known, with its status and output,
// once its mount is torn down.
func (r *scenarioRun) crashed(res *Result, err error) bool {
	uerr := r.unmount()
	var ce *backend.CrashError
	if !errors.As(err, &ce) && !errors.As(uerr, &ce) {
		ce = nil
	}
	if ce != nil && ce.Field == backend.CrashHang && r.crash == nil && errors.Is(err, context.DeadlineExceeded) {
		// The op loop saw the deadline between two ops: the scenario was
		// slow, no op hung.
		ce = nil
	}
	if ce == nil && r.crash == nil {
		return false
	}
	f := snapshot.Finding{Kind: snapshot.KindCrash, Field: "eio"}
	var what []string
	if r.crash != nil {
		c := r.crash
		f.Path, f.Op, f.Stage, f.Reference = c.op.Paths()[0], c.op.Shell(), c.phase, string(c.refOut)
		what = append(what, "the op returned "+string(c.merged))
		r.dropConsequences(c)
	}
	if ce != nil {
		f.Field = ce.Field
		what = append(what, crashWords(ce))
	}
	f.Merged = strings.Join(what, "; ")
	r.findings = append(r.findings, f)
	snapshot.SortFindings(r.findings)
	res.Findings = r.findings
	res.Verdict, res.Reason = Fail, "the backend crashed: "+f.Merged
	return true
}

// crashWords says what the backend did in a line a reader can act on.
func crashWords(ce *backend.CrashError) string {
	var s string
	switch ce.Field {
	case backend.CrashSignal, backend.CrashDaemonExit:
		s = "the daemon died (" + ce.Status + ")"
	case backend.CrashMount:
		s = "the mount command failed (" + ce.Status + ")"
	default:
		s = ce.Status
	}
	if ce.Output != "" {
		s += "; its last output: " + ce.Output
	}
	if ce.Field == backend.CrashMount && ce.Err != nil {
		s += fmt.Sprintf(" [%v]", ce.Err)
	}
	return s
}

// dropConsequences removes the failed-op finding of the op that crashed:
// what it left in the upper before the backend died is part of the crash,
// not a refusal that changed the stack.
func (r *scenarioRun) dropConsequences(c *crashOp) {
	out := r.findings[:0]
	for _, f := range r.findings {
		if f.Kind == snapshot.KindFailedOpCopyUp && f.Op == c.op.Shell() && strings.HasPrefix(f.Field, string(c.merged)+",") {
			continue
		}
		out = append(out, f)
	}
	r.findings = out
}
