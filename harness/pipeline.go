package harness

import (
	"context"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

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

// scenarioRun is the state of one scenario instance that spans its phases:
// each phase is handed it beside its own input, and what one phase gives
// only the phases after it is that phase's output instead.
type scenarioRun struct {
	// the scenario and how it runs
	cfg Config
	s   scenario.Scenario
	ctx context.Context

	// the scenario's directory, its layers and the mounted stack
	dir     string        // this scenario's scratch directory
	layers  []string      // layer directories, 0 (bottom) first
	upper   string        // the runtime upper
	work    string        // the runtime work dir
	target  string        // where the backend mounts
	mounted backend.Mount // the live mount, if any
	stack   []string      // the layers of the live mount, its upper first
	base    *scenario.Base
	layout  layoutRun // layouts.go: where layers live, sealed lowers
	// rebuiltBase: the run's shared copy of the base that the rebuilt
	// phase mounts as layer 0, if it does (rebuiltbase.go)
	rebuiltBase string
	// layer0Copy: layer 0 when it is the scenario's own copy of the base,
	// and layer0Idents its entries' identities as the copy made them
	// (phase_prepare.go), for the base view to stand for them (baseview.go)
	layer0Copy   string
	layer0Idents *snapshot.Idents
	// lowerLinks: path -> its other names in the read-only layers, as
	// snapshotLowers last read them
	lowerLinks map[string][]string
	// slotNamed: in a batch, the paths named() lists, by slot (batchslots.go)
	slotNamed map[string]map[string]bool

	// the reference tree; refUnits: the subtrees of the base it copies
	// (nil: all of it); refAbove: the directories above them; refIdents:
	// the identities of a whole copy's entries as it was made (reference.go)
	ref       *fsop.Tree
	refUnits  []string
	refAbove  map[string]bool
	refIdents *snapshot.Idents

	// the findings and ops so far
	findings   []snapshot.Finding
	ops        []OpRecord
	offline    map[string]bool // paths changed offline on lower layers
	viaBackend bool            // some op went through a mount of the backend

	// state of checks that span phases, and of the teardown
	commit commitState // the commit check's image (commitcheck.go)
	crash  *crashOp    // the op that crashed the backend (crash.go)
	times  timeState   // times.go: the bind mounts of the atime policy
}

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
