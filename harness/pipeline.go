package harness

import "github.com/layercheck/layercheck/harness/snapshot"

// A scenario's run is a pipeline of phases, one file each (phase_*.go):
//
//	prepare   the scenario's directories, the reference, the layers
//	build     the layer steps, bottom to top, through the backend
//	runtime   a fresh upper, the runtime ops in lockstep, snapshots
//	commit    the runtime upper read as a committed layer
//	offline   the offline steps on the layers and the reference
//	remount   the stack mounted again, snapshotted
//	compare   the snapshots turned into findings
//	rebuilt   copies of the layers mounted, compared with the remount
//
// Each phase takes what the phases before it gave as an explicit input
// and gives its own output. What truly spans the phases (the scenario's
// directory, the reference tree, the layers and the mounted stack, the
// findings so far, the state of the hooks: crash, health, idmapped and
// data-only layers, the shared base views) is the *scenarioRun every
// phase is handed.

// views is what a phase saw: the reference and the merged view snapshotted
// at its end, and the read-only layers as they were before its mount.
type views struct {
	ref, merged *snapshot.Snapshot
	lowers      []*snapshot.Snapshot
}

// runPhases strings the phases of one scenario together.
func runPhases(r *scenarioRun) error {
	if err := prepareRun(r); err != nil {
		return err
	}
	steps, err := buildLayers(r, buildInput{steps: r.s.Steps})
	if err != nil {
		return err
	}
	rt, err := runRuntime(r, runtimeInput{steps: steps.runtime})
	if err != nil {
		return err
	}
	if err := checkCommit(r, commitInput{runtime: rt.views}); err != nil {
		return err
	}
	ref2, err := applyOfflineSteps(r, offlineInput{steps: steps.offline, runtime: rt.views})
	if err != nil {
		return err
	}
	rm, err := remountStack(r, remountInput{ref: ref2})
	if err != nil {
		return err
	}
	compareViews(r, compareInput{runtime: rt, remount: rm, offline: len(steps.offline) > 0})
	if err := rebuildCopies(r, rebuiltInput{remount: rm}); err != nil {
		return err
	}
	r.findings = dedupe(r.findings)
	snapshot.SortFindings(r.findings)
	return nil
}
