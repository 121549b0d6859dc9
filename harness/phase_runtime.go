package harness

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// runtimeInput is the runtime phase's input: the runtime steps the build
// set aside.
type runtimeInput struct {
	steps []scenario.Step
}

// runRuntime is the runtime phase: it mounts every layer as a lower with
// the fresh upper prepareRun made, applies the runtime ops in lockstep to
// the merged view and the reference, snapshots both sides, unmounts and
// reports every change of a read-only layer. It gives the two snapshots.
func runRuntime(r *scenarioRun, in runtimeInput) (views, error) {
	lowerBefore, err := r.snapshotLowers()
	if err != nil {
		return views{}, err
	}
	if err := r.markTimes(); err != nil { // times.go: the ctime boundary
		return views{}, err
	}
	if err := r.mountRuntime(); err != nil {
		return views{}, err
	}
	if err := r.applyRuntime(in.steps); err != nil {
		return views{}, err
	}
	v := views{lowers: lowerBefore}
	if v.ref, err = r.snapshotReference(); err != nil {
		return views{}, err
	}
	if v.merged, err = r.snapshotMerged(v.ref, v.lowers); err != nil {
		return views{}, err
	}
	if err := r.unmount(); err != nil {
		return views{}, err
	}
	return v, r.checkLowers("runtime", v.lowers)
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
