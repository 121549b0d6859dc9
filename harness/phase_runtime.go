package harness

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// runtimeInput is the runtime phase's input: the runtime steps the build
// set aside.
type runtimeInput struct {
	steps []scenario.Step
}

// runtimeOutput is what the runtime phase gives: its views, and the
// policy (the ctime boundary taken just before its mount) the compare
// phase judges times by.
type runtimeOutput struct {
	views
	times snapshot.TimePolicy
}

// runRuntime is the runtime phase: it mounts every layer as a lower with
// the fresh upper prepareRun made, applies the runtime ops in lockstep to
// the merged view and the reference, snapshots both sides, unmounts and
// reports every change of a read-only layer.
func runRuntime(r *scenarioRun, in runtimeInput) (runtimeOutput, error) {
	lowerBefore, err := r.snapshotLowers()
	if err != nil {
		return runtimeOutput{}, err
	}
	times, err := r.markTimes() // times.go: the ctime boundary
	if err != nil {
		return runtimeOutput{}, err
	}
	if err := r.mountRuntime(); err != nil {
		return runtimeOutput{}, err
	}
	if err := r.applyRuntime(in.steps); err != nil {
		return runtimeOutput{}, err
	}
	out := runtimeOutput{views: views{lowers: lowerBefore}, times: times}
	if out.ref, err = r.snapshotReference(); err != nil {
		return runtimeOutput{}, err
	}
	if out.merged, err = r.snapshotMerged(out.ref, out.lowers); err != nil {
		return runtimeOutput{}, err
	}
	if err := r.unmount(); err != nil {
		return runtimeOutput{}, err
	}
	return out, r.checkLowers("runtime", out.lowers)
}

// applyRuntime applies the runtime ops through the mounted merged view.
func (r *scenarioRun) applyRuntime(steps []scenario.Step) error {
	sut, err := fsop.OpenTree(r.target)
	if err != nil {
		return err
	}
	defer sut.Close()        // closes its named descriptors (fsop.Tree.CloseFiles)...
	defer r.ref.CloseFiles() // ...and the reference's: before the snapshot and the unmount
	at := opSite{phase: "runtime", sut: sut, upper: r.upper}
	for _, st := range steps {
		for _, op := range st.Ops {
			if err := r.halted(); err != nil {
				return err
			}
			r.lockstep(at, op)
		}
	}
	return nil
}
