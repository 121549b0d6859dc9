package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestFailedOpCopyUpIsAFinding: a change of the upper around an op that
// failed is a failed-op-copy-up finding naming the op; around an op that
// succeeded, or with no upper to watch, it is nothing.
func TestFailedOpCopyUpIsAFinding(t *testing.T) {
	upper := t.TempDir()
	r, at := &scenarioRun{}, opSite{phase: "runtime", upper: upper}
	op := fsop.Chmod{Path: "copied", Mode: 0o600, By: fsop.By{As: fsop.Identity{Name: "other", UID: 1002, GID: 1002}}}
	before := upperState(upper, op)
	os.WriteFile(filepath.Join(upper, "copied"), []byte("x"), 0o644)
	r.checkFailedOp(at, op, fsop.OK, before)
	if len(r.findings) != 0 {
		t.Fatalf("a successful op: %v", r.findings)
	}
	r.checkFailedOp(at, op, "EPERM", before)
	if len(r.findings) != 1 || r.findings[0].Kind != snapshot.KindFailedOpCopyUp || r.findings[0].Path != "copied" || r.findings[0].Op != op.Shell() {
		t.Fatalf("findings %v, want one failed-op-copy-up of copied", r.findings)
	}
	if upperState("", op) != nil {
		t.Fatal("a phase without an upper has a state")
	}
}

// TestRunFailedOpsLeaveUpperAlone: on kernel overlay, a chmod and a write
// refused to a user copy nothing up: the scenario passes.
func TestRunFailedOpsLeaveUpperAlone(t *testing.T) {
	o := requireOverlay(t)
	other := fsop.By{As: fsop.Identity{Name: "other", UID: 1002, GID: 1002}}
	s := scenario.Scenario{Name: "refused", Suite: "t", Steps: []scenario.Step{scenario.AtLayer(1, fsop.Chmod{Path: "etc/passwd", Mode: 0o640, By: other}), scenario.Runtime(fsop.Chmod{Path: "etc/passwd", Mode: 0o666, By: other}, fsop.Append{Path: "etc/passwd", Data: "x", By: other})}}
	res := RunScenario(context.Background(), testConfig(t, o, 2), s)
	if res.Verdict != Pass {
		t.Fatalf("verdict %s (%s): %v", res.Verdict, res.Reason, res.Findings)
	}
	if len(res.Ops) != 3 || res.Ops[1].Merged != "EPERM" || res.Ops[2].Merged != "EACCES" {
		t.Fatalf("ops %+v", res.Ops)
	}
}
