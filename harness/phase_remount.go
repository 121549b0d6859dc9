package harness

import (
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
// the layers (and the reference) with nothing mounted (offline.go). It
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

// remountInput is the remount phase's input: the reference the merged
// view must show after the remount.
type remountInput struct {
	ref *snapshot.Snapshot
}

// remountStack is the remount phase: it mounts the stack again (the
// runtime upper as the runtime left it), snapshots it, unmounts and
// reports every change of a read-only layer. It gives the reference it
// was given and the merged view.
func remountStack(r *scenarioRun, in remountInput) (views, error) {
	lowerBefore, err := r.snapshotLowers()
	if err != nil {
		return views{}, err
	}
	if err := r.mountRuntime(); err != nil {
		return views{}, err
	}
	v := views{ref: in.ref}
	if v.merged, err = r.snapshotMerged(v.ref); err != nil {
		return views{}, err
	}
	if err := r.unmount(); err != nil {
		return views{}, err
	}
	return v, r.checkLowers("remount", lowerBefore)
}
