package harness

import "github.com/layercheck/layercheck/harness/snapshot"

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
	v := views{ref: in.ref, lowers: lowerBefore}
	if v.merged, err = r.snapshotMerged(v.ref, v.lowers); err != nil {
		return views{}, err
	}
	if err := r.unmount(); err != nil {
		return views{}, err
	}
	return v, r.checkLowers("remount", v.lowers)
}
