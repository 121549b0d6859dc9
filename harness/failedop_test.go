package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestFailedOpCopyUpIsAFinding: a change of the upper around an op that
// failed is a failed-op-copy-up finding naming the op; around an op that
// succeeded, or with no upper to watch, it is nothing.
func TestFailedOpCopyUpIsAFinding(t *testing.T) {
	upper := t.TempDir()
	r := &scenarioRun{phaseUpper: upper}
	op := Chmod{Path: "copied", Mode: 0o600, By: By{As: Identity{Name: "other", UID: 1002, GID: 1002}}}
	before := r.upperState(op)
	os.WriteFile(filepath.Join(upper, "copied"), []byte("x"), 0o644)
	r.checkFailedOp("runtime", op, OK, before)
	if len(r.findings) != 0 {
		t.Fatalf("a successful op: %v", r.findings)
	}
	r.checkFailedOp("runtime", op, "EPERM", before)
	if len(r.findings) != 1 || r.findings[0].Kind != KindFailedOpCopyUp || r.findings[0].Path != "copied" || r.findings[0].Op != op.Shell() {
		t.Fatalf("findings %v, want one failed-op-copy-up of copied", r.findings)
	}
	r = &scenarioRun{}
	if r.upperState(op) != nil {
		t.Fatal("a phase without an upper has a state")
	}
}

// TestRunFailedOpsLeaveUpperAlone: on kernel overlay, a chmod and a write
// refused to a user copy nothing up: the scenario passes.
func TestRunFailedOpsLeaveUpperAlone(t *testing.T) {
	o := requireOverlay(t)
	other := By{As: Identity{Name: "other", UID: 1002, GID: 1002}}
	s := Scenario{Name: "refused", Suite: "t", Steps: []Step{
		AtLayer(1, Chmod{Path: "etc/passwd", Mode: 0o640, By: other}),
		Runtime(Chmod{Path: "etc/passwd", Mode: 0o666, By: other}, Append{Path: "etc/passwd", Data: "x", By: other}),
	}}
	res := RunScenario(context.Background(), testConfig(t, o, 2), s)
	if res.Verdict != Pass {
		t.Fatalf("verdict %s (%s): %v", res.Verdict, res.Reason, res.Findings)
	}
	if len(res.Ops) != 3 || res.Ops[1].Merged != "EPERM" || res.Ops[2].Merged != "EACCES" {
		t.Fatalf("ops %+v", res.Ops)
	}
}
