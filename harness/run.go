package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// RunScenario runs one expanded scenario instance through the whole loop:
// build the layers through the backend, mount them with a fresh upper,
// apply the runtime ops, snapshot, unmount, apply offline changes, remount,
// snapshot again; the same ops go to the reference copy in lockstep. It
// never panics and leaves nothing mounted: every failure of the harness
// itself is an error verdict.
func RunScenario(ctx context.Context, cfg Config, s scenario.Scenario) (res Result) {
	start := time.Now()
	res = Result{Name: s.FullName(), Suite: s.Suite, Labels: s.Labels, Scenario: s}
	defer func() { res.Seconds = time.Since(start).Seconds() }()
	if why := cfg.skipReason(s); why != "" {
		res.Verdict, res.Reason = Skip, why
		return res
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	r := &scenarioRun{cfg: cfg, s: s, ctx: ctx}
	defer startHealth().finish(r, &res) // health.go; runs after the teardown
	defer r.finish(&res)
	err := r.run()
	res.Findings, res.Ops = r.findings, r.ops
	if why, ok := asSkip(err); ok { // layouts.go: the layout cannot hold a layer
		res.Verdict, res.Reason = Skip, why
		return res
	}
	if err != nil && r.crashed(&res, err) { // crash.go
		return res
	}
	if err != nil {
		res.Verdict, res.Reason = Error, err.Error()
		if ctx.Err() != nil {
			// A hung backend: the watchdog aborted the mount (daemon).
			res.Reason = fmt.Sprintf("%v (time limit %s): %v", ctx.Err(), cfg.Timeout, err)
		}
		return res
	}
	markStanding(res.Findings, cfg.Standing[s.FixtureName()], s) // standing.go
	var missing []string
	res.Verdict, missing = verdict(res.Findings, s.Expect, r.applicable())
	if len(missing) > 0 {
		res.Reason = "documented deviation did not show: " + strings.Join(missing, ", ")
	}
	return res
}

// skipReason says why s cannot run on cfg ("" if it can): the expansion
// could not place it, the backend lacks a feature it needs, or the
// backend's documentation leaves it undefined.
func (cfg Config) skipReason(s scenario.Scenario) string {
	if s.Skip != "" {
		return s.Skip
	}
	if why := cfg.lacks(s); why != "" {
		return why
	}
	if why := cfg.timesSkip(s); why != "" { // times.go
		return why
	}
	if why := cfg.layoutSkip(s); why != "" {
		return why
	}
	if why := cfg.subjectClash(s); why != "" { // subject.go: a user's base
		return why
	}
	if sk, ok := cfg.Backend.(backend.ScenarioSkipper); ok {
		return sk.SkipReason(s)
	}
	return ""
}

// finish recovers a panic of the run and tears it down, on every way out;
// a failure of either is the scenario's error.
func (r *scenarioRun) finish(res *Result) {
	if p := recover(); p != nil {
		res.Verdict, res.Reason = Error, fmt.Sprintf("harness panic: %v\n%s", p, debug.Stack())
	}
	if err := r.teardown(); err != nil {
		if res.Verdict != Error {
			res.Verdict, res.Reason = Error, err.Error()
		} else {
			res.Reason += "; teardown: " + err.Error()
		}
	}
	if r.cfg.Keep {
		res.Dir = r.dir
	}
}

// applicable lists the IDs of the deviations the backend documents under
// its options: a scenario written to show one that did not show is xpass.
func (r *scenarioRun) applicable() map[string]bool {
	if r.cfg.Extracting() && !r.viaBackend {
		// No op reached the backend (its layers were extracted): a
		// deviation of how it carries out ops could not show.
		return nil
	}
	out := map[string]bool{}
	for _, e := range r.cfg.Backend.Expectations() {
		out[e.ID] = true
	}
	return out
}

// scenarioRun holds the state of one scenario instance.
type scenarioRun struct {
	cfg Config
	s   scenario.Scenario
	ctx context.Context

	dir     string        // this scenario's scratch directory
	layers  []string      // layer directories, 0 (bottom) first
	ref     *fsop.Tree    // the reference copy
	upper   string        // the runtime upper
	work    string        // the runtime work dir
	target  string        // where the backend mounts
	mounted backend.Mount // the live mount, if any
	stack   []string      // the layers of the live mount, its upper first
	base    *scenario.Base
	layout  layoutRun // layouts.go: where layers live, sealed lowers
	// refUnits: the subtrees of the base the reference copies (nil: all
	// of it); refAbove: the directories above them (reference.go)
	refUnits []string
	refAbove map[string]bool

	findings []snapshot.Finding
	ops      []OpRecord
	offline  map[string]bool // paths changed offline on lower layers
	// lowerLinks: path -> its other names in the read-only layers;
	// lowerSnaps: the layers as snapshotLowers last read them
	lowerLinks map[string][]string
	lowerSnaps []*snapshot.Snapshot
	// phaseUpper is the upper directory of the mount the current ops go
	// through ("" for layer 0), watched for changes by failed ops.
	phaseUpper string
	extract    extractState // the extract builder's state (Config.Format)
	commit     commitState  // the commit check's state (commitcheck.go)
	viaBackend bool         // some op went through a mount of the backend
	crash      *crashOp     // the op that crashed the backend (crash.go)
	times      timeState    // times.go
}

// run is the loop of one scenario, phase by phase (see the package doc).
func (r *scenarioRun) run() error {
	if err := r.prepare(); err != nil {
		return err
	}
	runtimeSteps, offlineSteps, err := r.build()
	if err != nil {
		return err
	}
	ref1, merged1, err := r.runtime(runtimeSteps)
	if err != nil {
		return err
	}
	ref2, merged2, err := r.remount(offlineSteps, ref1)
	if err != nil {
		return err
	}
	r.compare(ref1, merged1, ref2, merged2, len(offlineSteps) > 0)
	if r.s.Rebuild {
		if err := r.rebuilt(merged2, ref2); err != nil { // rebuild.go
			return err
		}
	}
	r.findings = dedupe(r.findings)
	snapshot.SortFindings(r.findings)
	return nil
}

// prepare makes the scenario's directories: the mount point, the runtime
// upper and work dir, the reference (a plain copy of the base), and the
// layers (layer 0 is the shared base unless the scenario changes it).
func (r *scenarioRun) prepare() error {
	if err := r.s.CheckOrder(); err != nil {
		return err
	}
	r.base = r.cfg.Bases[r.s.FixtureName()]
	if r.base == nil {
		return fmt.Errorf("no fixture %q prepared", r.s.FixtureName())
	}
	dir, err := os.MkdirTemp(r.cfg.Scratch, "s-")
	if err != nil {
		return err
	}
	r.dir = dir
	if err := r.bindScenarioDir(); err != nil { // times.go: the atime policy
		return err
	}
	r.target = filepath.Join(dir, "m")
	if err := os.Mkdir(r.target, 0o755); err != nil {
		return err
	}
	if r.upper, r.work, err = r.newRuntimeUpper(); err != nil {
		return err
	}
	refDir := r.cfg.idmapReference(filepath.Join(dir, "ref")) // idmapped.go
	if err := r.prepareReference(refDir); err != nil {        // reference.go
		return fmt.Errorf("copy the base to the reference: %w", err)
	}
	if r.ref, err = fsop.OpenTree(refDir); err != nil {
		return err
	}
	return r.prepareLayers()
}

// prepareLayers makes the directory of every layer; layer 0 is the shared
// base unless the scenario changes it, then a copy of its own.
func (r *scenarioRun) prepareLayers() (err error) {
	r.layers = make([]string, r.cfg.Depth)
	r.layers[0] = r.base.Dir
	if r.usesStorage() {
		if r.layers[0], err = r.ownLayer0(); err != nil {
			return err
		}
	} else if r.touchesLayer0() || r.timesCompared() { // times: layer 0 under the atime policy too
		r.layers[0] = filepath.Join(r.dir, "l0")
		if err := fsop.CopyTree(r.base.Dir, r.layers[0]); err != nil {
			return fmt.Errorf("copy the base to layer 0: %w", err)
		}
	}
	for k := 1; k < r.cfg.Depth; k++ {
		if r.layers[k], _, err = r.newLayer(k); err != nil {
			return err
		}
	}
	return nil
}

// build applies the layer steps, bottom to top, and returns the runtime
// and offline steps for later.
func (r *scenarioRun) build() (runtimeSteps, offlineSteps []scenario.Step, err error) {
	for _, st := range r.s.Steps {
		switch st.Phase {
		case scenario.PhaseLayer:
			build := r.buildLayer
			if r.cfg.Extracting() && st.Layer > 0 {
				build = r.extractStep
			}
			if err := build(st); err != nil {
				return nil, nil, err
			}
		case scenario.PhaseRuntime:
			runtimeSteps = append(runtimeSteps, st)
		case scenario.PhaseOffline:
			offlineSteps = append(offlineSteps, st)
		}
	}
	return runtimeSteps, offlineSteps, r.flushExtract()
}

// runtime mounts every layer as a lower with a fresh upper, applies the
// runtime ops in lockstep, snapshots both sides and unmounts.
func (r *scenarioRun) runtime(steps []scenario.Step) (ref, merged *snapshot.Snapshot, err error) {
	lowerBefore, err := r.snapshotLowers()
	if err != nil {
		return nil, nil, err
	}
	if err := r.markTimes(); err != nil { // times.go: the ctime boundary
		return nil, nil, err
	}
	if err := r.mountRuntime(); err != nil {
		return nil, nil, err
	}
	if err := r.applyRuntime(steps); err != nil {
		return nil, nil, err
	}
	if ref, err = r.snapshotReference(); err != nil {
		return nil, nil, err
	}
	if merged, err = r.snapshotMerged(ref); err != nil {
		return nil, nil, err
	}
	if err := r.unmount(); err != nil {
		return nil, nil, err
	}
	if err := r.commitRuntime(ref, merged); err != nil { // commitcheck.go
		return nil, nil, err
	}
	return ref, merged, r.checkLowers("runtime", lowerBefore)
}

// applyRuntime applies the runtime ops through the mounted merged view.
func (r *scenarioRun) applyRuntime(steps []scenario.Step) error {
	sut, err := fsop.OpenTree(r.target)
	if err != nil {
		return err
	}
	defer sut.Close()        // closes its named descriptors (fsop.Tree.CloseFiles)...
	defer r.ref.CloseFiles() // ...and the reference's: before the snapshot and the unmount
	r.phaseUpper = r.upper
	defer func() { r.phaseUpper = "" }()
	for _, st := range steps {
		for _, op := range st.Ops {
			if err := r.halted(); err != nil {
				return err
			}
			r.lockstep("runtime", sut, op)
		}
	}
	return nil
}

// remount applies the offline steps to the layers (and the reference),
// mounts the stack again and snapshots it. ref is the reference as the
// runtime phase left it; with no offline step it is still the reference.
func (r *scenarioRun) remount(offlineSteps []scenario.Step, ref *snapshot.Snapshot) (ref2, merged *snapshot.Snapshot, err error) {
	for _, st := range offlineSteps {
		if err := r.applyOffline(st); err != nil {
			return nil, nil, err
		}
	}
	lowerBefore, err := r.snapshotLowers()
	if err != nil {
		return nil, nil, err
	}
	ref2 = ref
	if len(offlineSteps) > 0 {
		if ref2, err = r.snapshotReference(); err != nil {
			return nil, nil, err
		}
	}
	if err := r.mountRuntime(); err != nil {
		return nil, nil, err
	}
	if merged, err = r.snapshotMerged(ref2); err != nil {
		return nil, nil, err
	}
	if err := r.unmount(); err != nil {
		return nil, nil, err
	}
	return ref2, merged, r.checkLowers("remount", lowerBefore)
}

// compare turns the snapshots into findings: the merged view against the
// reference after the runtime ops, its own invariants, and after the
// remount either against the reference changed offline or, with no
// offline change, against itself before (persistence).
func (r *scenarioRun) compare(ref1, merged1, ref2, merged2 *snapshot.Snapshot, offline bool) {
	var cmpOpts []cmp.Option
	if r.cfg.ignoreXattrs() { // features_ops.go: the backend has no xattrs
		cmpOpts = append(cmpOpts, cmpopts.IgnoreFields(snapshot.Entry{}, "Xattrs"))
	}
	r.add("runtime", snapshot.Compare(ref1, merged1, cmpOpts...), merged1, ref1)
	r.add("runtime", merged1.Invariants, merged1, ref1)
	if offline {
		r.add("remount", snapshot.Compare(ref2, merged2, cmpOpts...), merged2, ref2)
	} else {
		r.add("remount", snapshot.CompareAs(snapshot.KindPersistence, "remount", merged1, merged2), merged2, ref1)
	}
	r.add("remount", merged2.Invariants, merged2, ref1)
	r.compareTimes(ref1, merged1, ref2, merged2, offline) // times.go
	r.checkInodes(ref1, merged1, ref2, merged2)           // inodes.go
}

// touchesLayer0 reports whether the scenario changes layer 0 (then it gets
// its own copy of the base).
func (r *scenarioRun) touchesLayer0() bool {
	for _, st := range r.s.Steps {
		if st.Phase != scenario.PhaseRuntime && st.Layer == 0 && len(st.Ops) > 0 {
			return true
		}
	}
	return false
}
