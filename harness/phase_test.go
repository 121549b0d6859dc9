package harness

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestBuildSetsAsideLaterSteps: the build phase gives the runtime and the
// offline steps, each in the scenario's order, and applies none of them.
func TestBuildSetsAsideLaterSteps(t *testing.T) {
	rt1 := scenario.Step{Phase: scenario.PhaseRuntime, Ops: []fsop.Op{fsop.Mkdir{Path: "a", Mode: 0o755}}}
	off := scenario.Step{Phase: scenario.PhaseOffline, Layer: 1, Ops: []fsop.Op{fsop.Mkdir{Path: "b", Mode: 0o755}}}
	rt2 := scenario.Step{Phase: scenario.PhaseRuntime, Ops: []fsop.Op{fsop.Mkdir{Path: "c", Mode: 0o755}}}
	out, err := buildLayers(&scenarioRun{}, buildInput{steps: []scenario.Step{rt1, off, rt2}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.runtime, []scenario.Step{rt1, rt2}) || !reflect.DeepEqual(out.offline, []scenario.Step{off}) {
		t.Fatalf("runtime %v, offline %v", out.runtime, out.offline)
	}
}

// TestOfflinePhaseGivesTheReference: with no offline step the remount must
// show the runtime's reference itself; with one, the reference as the step
// left it, the step applied to the layer too.
func TestOfflinePhaseGivesTheReference(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"ref", "l0", "l1"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ref, err := fsop.OpenTree(filepath.Join(dir, "ref"))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	r := &scenarioRun{ref: ref, base: &scenario.Base{}, layers: []string{filepath.Join(dir, "l0"), filepath.Join(dir, "l1")}}
	runtimeRef := &snapshot.Snapshot{}
	got, err := applyOfflineSteps(r, offlineInput{runtime: views{ref: runtimeRef}})
	if err != nil || got != runtimeRef {
		t.Fatalf("no offline step: %p, %v; want the runtime's reference %p", got, err, runtimeRef)
	}
	st := scenario.Step{Phase: scenario.PhaseOffline, Layer: 1, Ops: []fsop.Op{fsop.Mkdir{Path: "new", Mode: 0o755}}}
	got, err = applyOfflineSteps(r, offlineInput{steps: []scenario.Step{st}, runtime: views{ref: runtimeRef}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Entries["new"]; got == runtimeRef || !ok {
		t.Fatalf("after an offline mkdir the reference holds %v", got.Entries)
	}
	if _, err := os.Stat(filepath.Join(dir, "l1", "new")); err != nil || !r.offline["new"] {
		t.Fatalf("layer 1 not changed offline (%v), offline paths %v", err, r.offline)
	}
}
