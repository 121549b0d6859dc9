package harness

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// offlineInput is the offline phase's input: the offline steps the build
// set aside and the views of the runtime phase.
type offlineInput struct {
	steps   []scenario.Step
	runtime views
}

// applyOfflineSteps is the offline phase: it applies the offline steps to
// the layers (and the reference) with nothing mounted (applyOffline). It
// gives the reference the remount must show: snapshotted again after an
// offline change, else the runtime's.
func applyOfflineSteps(r *scenarioRun, in offlineInput) (*snapshot.Snapshot, error) {
	for _, st := range in.steps {
		if err := r.applyOffline(st); err != nil {
			return nil, err
		}
	}
	if len(in.steps) == 0 {
		return in.runtime.ref, nil
	}
	return r.snapshotReference()
}

// applyOffline applies an offline step to a layer (or the runtime upper)
// and to the reference. Both are plain directories, so the outcomes must
// agree; if they do not, the scenario asks for something the layer cannot
// hold (an error in the scenario, not a finding).
func (r *scenarioRun) applyOffline(st scenario.Step) error {
	dir := r.upper
	phase := "offline upper"
	if st.Layer != scenario.Upper {
		if st.Layer < 0 || st.Layer >= len(r.layers) {
			return fmt.Errorf("offline step on layer %d of %d", st.Layer, len(r.layers))
		}
		dir = r.layers[st.Layer]
		phase = fmt.Sprintf("offline layer %d", st.Layer)
	}
	t, err := fsop.OpenTree(dir)
	if err != nil {
		return err
	}
	defer t.Close()
	defer r.ref.CloseFiles() // descriptor ops: as t.Close does for the layer
	if r.offline == nil {
		r.offline = map[string]bool{}
	}
	for _, op := range st.Ops {
		m, ref := fsop.Apply(t, op), fsop.Apply(r.ref, op)
		r.ops = append(r.ops, OpRecord{Stage: phase, Op: op.Shell(), Merged: m, Reference: ref})
		if m != ref {
			return fmt.Errorf("%s: `%s` gave %s on the layer, %s on the reference: the scenario changes a path the layer does not hold", phase, op.Shell(), m, ref)
		}
		if st.Layer != scenario.Upper {
			for _, p := range op.Paths() {
				r.offline[fsop.CleanRel(p)] = true
			}
		}
	}
	return nil
}
