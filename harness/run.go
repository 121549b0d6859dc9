package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Base is a prepared base tree, the content of layer 0: a fixture or a
// user's directory. It is shared read-only by every scenario of a run.
type Base struct {
	Name       string
	Dir        string
	Identities []fsop.Identity // whose access every snapshot probes
	// Shell rebuilds the tree in the current directory (for reproducers);
	// empty for a user's directory, which reproducers copy with cp -a.
	Shell []string
	snap  *snapshot.Snapshot
}

// Seal records the base's state; every scenario checks that no mount
// modified it (a lower-modified finding).
func (b *Base) Seal() error {
	s, err := snapshot.TakeSnapshot(b.Dir, snapshot.SnapshotOptions{})
	b.snap = s
	return err
}

// Config is what a run needs beyond the scenarios.
type Config struct {
	Backend backend.Backend
	Depth   int              // read-only layers under the upper, 1..500
	Scratch string           // a directory on the filesystem to test on; scenarios get directories beneath it
	Bases   map[string]*Base // by fixture name
	Keep    bool             // keep each scenario's directories
	Timeout time.Duration    // per scenario; 0 is none
	// Features maps each optional feature probed on the backend to "" (it
	// works) or why not; see Scenario.Requires.
	Features map[string]string
	// Build names how layers 1..depth-1 are built ("mount", "extract",
	// "extract-xattr"; see BuildMount, BuildExtract and SetBuild); Format
	// is the on-disk format the extract builder writes (nil: mount).
	Build  BuildMode
	Format backend.WhiteoutFormat
}

// OpRecord is one op as it was applied, with both outcomes.
type OpRecord struct {
	Stage     string       `json:"phase"` // "layer 2", "runtime", "offline layer 1"
	Op        string       `json:"op"`
	As        string       `json:"as,omitempty"`
	Merged    fsop.Outcome `json:"merged"`
	Reference fsop.Outcome `json:"reference"`
}

// Result is what one scenario instance came to.
type Result struct {
	Name     string             `json:"name"`
	Suite    string             `json:"suite"`
	Verdict  Verdict            `json:"verdict"`
	Reason   string             `json:"reason,omitempty"`
	Seconds  float64            `json:"seconds"`
	Findings []snapshot.Finding `json:"findings"`
	Ops      []OpRecord         `json:"ops,omitempty"`
	Repro    string             `json:"repro,omitempty"`
	Dir      string             `json:"dir,omitempty"` // kept scratch (--keep)
	Labels   []string           `json:"labels,omitempty"`
	// Scenario is the instance that ran, for reproducers.
	Scenario scenario.Scenario `json:"-"`
}

// Unexpected lists the findings no documented deviation explains.
func (r Result) Unexpected() []snapshot.Finding {
	var out []snapshot.Finding
	for _, f := range r.Findings {
		if !f.Expected() {
			out = append(out, f)
		}
	}
	return out
}

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
	if s.Skip != "" {
		res.Verdict, res.Reason = Skip, s.Skip
		return res
	}
	if why := cfg.lacks(s); why != "" {
		res.Verdict, res.Reason = Skip, why
		return res
	}
	if sk, ok := cfg.Backend.(backend.ScenarioSkipper); ok {
		if why := sk.SkipReason(s); why != "" {
			res.Verdict, res.Reason = Skip, why
			return res
		}
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	r := &scenarioRun{cfg: cfg, s: s, ctx: ctx}
	defer func() {
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
		if cfg.Keep {
			res.Dir = r.dir
		}
	}()
	err := r.run()
	res.Findings, res.Ops = r.findings, r.ops
	if err != nil {
		res.Verdict, res.Reason = Error, err.Error()
		if ctx.Err() != nil {
			// A hung backend: the watchdog aborted the mount (fuse.go).
			res.Reason = fmt.Sprintf("%v (time limit %s): %v", ctx.Err(), cfg.Timeout, err)
		}
		return res
	}
	applicable := map[string]bool{}
	for _, e := range cfg.Backend.Expectations() {
		applicable[e.ID] = true
	}
	if cfg.Extracting() && !r.viaBackend {
		// No op reached the backend (its layers were extracted): a
		// deviation of how it carries out ops could not show.
		applicable = nil
	}
	var missing []string
	res.Verdict, missing = verdict(res.Findings, s.Expect, applicable)
	if len(missing) > 0 {
		res.Reason = "documented deviation did not show: " + strings.Join(missing, ", ")
	}
	return res
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
	base    *Base

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
	viaBackend bool         // some op went through a mount of the backend
}

func (r *scenarioRun) run() error {
	if err := r.s.CheckOrder(); err != nil {
		return err
	}
	base := r.cfg.Bases[r.s.FixtureName()]
	if base == nil {
		return fmt.Errorf("no fixture %q prepared", r.s.FixtureName())
	}
	r.base = base
	dir, err := os.MkdirTemp(r.cfg.Scratch, "s-")
	if err != nil {
		return err
	}
	r.dir = dir
	r.target = filepath.Join(dir, "m")
	r.upper = filepath.Join(dir, "u")
	r.work = filepath.Join(dir, "wu")
	for _, d := range []string{r.target, r.upper, r.work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	// The reference: a plain copy of the base on the same filesystem.
	refDir := filepath.Join(dir, "ref")
	if err := fsop.CopyTree(base.Dir, refDir); err != nil {
		return fmt.Errorf("copy the base to the reference: %w", err)
	}
	if r.ref, err = fsop.OpenTree(refDir); err != nil {
		return err
	}
	// Layer 0 is the shared base unless this scenario changes it.
	r.layers = make([]string, r.cfg.Depth)
	r.layers[0] = base.Dir
	if r.touchesLayer0() {
		r.layers[0] = filepath.Join(dir, "l0")
		if err := fsop.CopyTree(base.Dir, r.layers[0]); err != nil {
			return fmt.Errorf("copy the base to layer 0: %w", err)
		}
	}
	for k := 1; k < r.cfg.Depth; k++ {
		r.layers[k] = filepath.Join(dir, "l"+strconv.Itoa(k))
		if err := os.Mkdir(r.layers[k], 0o755); err != nil {
			return err
		}
	}

	// Build: each layer with ops, bottom to top.
	var runtimeOps, offline []scenario.Step
	for _, st := range r.s.Steps {
		switch st.Phase {
		case scenario.PhaseLayer:
			build := r.buildLayer
			if r.cfg.Extracting() && st.Layer > 0 {
				build = r.extractStep
			}
			if err := build(st); err != nil {
				return err
			}
		case scenario.PhaseRuntime:
			runtimeOps = append(runtimeOps, st)
		case scenario.PhaseOffline:
			offline = append(offline, st)
		}
	}
	if err := r.flushExtract(); err != nil {
		return err
	}

	// Runtime: every layer as a lower, a fresh upper.
	lowerBefore, err := r.snapshotLowers()
	if err != nil {
		return err
	}
	if err := r.mountRuntime(); err != nil {
		return err
	}
	sut, err := fsop.OpenTree(r.target)
	if err != nil {
		return err
	}
	r.phaseUpper = r.upper
	for _, st := range runtimeOps {
		for _, op := range st.Ops {
			if err := r.ctx.Err(); err != nil {
				sut.Close()
				return err
			}
			r.lockstep("runtime", sut, op)
		}
	}
	sut.Close()
	r.phaseUpper = ""
	ref1, err := snapshot.TakeSnapshot(r.ref.Dir, snapshot.SnapshotOptions{Identities: r.base.Identities})
	if err != nil {
		return err
	}
	merged1, err := r.snapshotMerged(ref1)
	if err != nil {
		return err
	}
	if err := r.unmount(); err != nil {
		return err
	}
	if err := r.checkLowers("runtime", lowerBefore); err != nil {
		return err
	}

	// Offline changes, then the remount.
	for _, st := range offline {
		if err := r.applyOffline(st); err != nil {
			return err
		}
	}
	if lowerBefore, err = r.snapshotLowers(); err != nil {
		return err
	}
	ref2 := ref1
	if len(offline) > 0 {
		if ref2, err = snapshot.TakeSnapshot(r.ref.Dir, snapshot.SnapshotOptions{Identities: r.base.Identities}); err != nil {
			return err
		}
	}
	if err := r.mountRuntime(); err != nil {
		return err
	}
	merged2, err := r.snapshotMerged(ref2)
	if err != nil {
		return err
	}
	if err := r.unmount(); err != nil {
		return err
	}
	if err := r.checkLowers("remount", lowerBefore); err != nil {
		return err
	}

	// Compare.
	var cmpOpts []cmp.Option
	if r.cfg.ignoreXattrs() { // features_ops.go: the backend has no xattrs
		cmpOpts = append(cmpOpts, cmpopts.IgnoreFields(snapshot.Entry{}, "Xattrs"))
	}
	r.add("runtime", snapshot.Compare(ref1, merged1, cmpOpts...), merged1, ref1)
	r.add("runtime", merged1.Invariants, merged1, ref1)
	if len(offline) > 0 {
		r.add("remount", snapshot.Compare(ref2, merged2, cmpOpts...), merged2, ref2)
	} else {
		r.add("remount", snapshot.CompareAs(snapshot.KindPersistence, "remount", merged1, merged2), merged2, ref1)
	}
	r.add("remount", merged2.Invariants, merged2, ref1)
	if r.s.Rebuild {
		if err := r.rebuilt(merged2, ref2); err != nil { // rebuild.go
			return err
		}
	}
	r.findings = dedupe(r.findings)
	snapshot.SortFindings(r.findings)
	return nil
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

// add records findings seen in phase, explained by the backend's
// documented deviations.
func (r *scenarioRun) add(phase string, fs []snapshot.Finding, merged, ref *snapshot.Snapshot) {
	ev := &backend.Evidence{Ref: ref, Merged: merged, OfflineLower: r.offline, Upper: r.upper, Lowers: r.layers,
		LowerLinks: r.lowerLinks, Named: r.named()}
	for i := range fs {
		if fs[i].Stage == "" {
			fs[i].Stage = phase
		}
	}
	r.explain(fs, ev)
	r.findings = append(r.findings, fs...)
}

// explain marks fs with the backend's documented deviations and known issues.
func (r *scenarioRun) explain(fs []snapshot.Finding, ev *backend.Evidence) {
	var known []backend.KnownIssue
	if k, ok := r.cfg.Backend.(backend.KnownIssuer); ok {
		known = k.KnownIssues()
	}
	explain(fs, r.cfg.Backend.Expectations(), known, ev)
}

func dedupe(fs []snapshot.Finding) []snapshot.Finding {
	type key struct {
		kind                     snapshot.Kind
		path, field, ref, merged string
	}
	seen := map[key]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.Kind, f.Path, f.Field, f.Reference, f.Merged}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// lockstep applies op to the system under test, then to the reference, and
// records an errno finding when the outcomes differ. When the system under
// test refuses the op in a way its documentation describes (EXDEV for a
// directory rename without redirect_dir), the reference follows it and
// does not apply the op either, as a program that handles the documented
// error would leave things: the rest of the scenario then still tests
// everything else instead of drowning in consequences.
func (r *scenarioRun) lockstep(phase string, sut *fsop.Tree, op fsop.Op) {
	srcType := fsop.TypeIn(r.ref, op.Paths()[0])
	upperBefore := r.upperState(op)
	m := fsop.Apply(sut, op)
	r.viaBackend = r.viaBackend || r.mounted != nil
	r.checkFailedOp(phase, op, m, upperBefore)
	rec := OpRecord{Stage: phase, Op: op.Shell(), Merged: m}
	if !op.Identity().IsRoot() {
		rec.As = op.Identity().String()
	}
	if m != fsop.OK {
		f := snapshot.Finding{Kind: snapshot.KindErrno, Path: op.Paths()[0], Field: op.Kind(), Reference: "not applied: the reference follows the documented outcome",
			Merged: string(m), Stage: phase, Op: op.Shell()}
		fs := []snapshot.Finding{f}
		r.explain(fs, &backend.Evidence{Op: op, SourceType: srcType, Stack: r.stack, LowerLinks: r.lowerLinks, Named: r.named()})
		if fs[0].Expected() {
			rec.Reference = "skipped"
			r.ops = append(r.ops, rec)
			r.findings = append(r.findings, fs[0])
			return
		}
	}
	rec.Reference = fsop.Apply(r.ref, op)
	r.ops = append(r.ops, rec)
	if rec.Reference != m {
		fs := []snapshot.Finding{{Kind: snapshot.KindErrno, Path: op.Paths()[0], Field: op.Kind(),
			Reference: string(rec.Reference), Merged: string(m), Stage: phase, Op: op.Shell()}}
		r.explain(fs, &backend.Evidence{Op: op, SourceType: srcType, Stack: r.stack, LowerLinks: r.lowerLinks, Named: r.named()})
		r.findings = append(r.findings, fs...)
	}
}

// buildLayer applies a layer step: layer 0 directly, layer k through a
// mount of layers 0..k-1 with layer k as the upper.
func (r *scenarioRun) buildLayer(st scenario.Step) error {
	phase := fmt.Sprintf("layer %d", st.Layer)
	if st.Layer == 0 {
		t, err := fsop.OpenTree(r.layers[0])
		if err != nil {
			return err
		}
		defer t.Close()
		for _, op := range st.Ops {
			r.lockstep(phase, t, op)
		}
		return nil
	}
	work := filepath.Join(r.dir, "w"+strconv.Itoa(st.Layer))
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	spec := backend.MountSpec{Lowers: backend.TopFirst(r.layers[:st.Layer]), Upper: r.layers[st.Layer], Work: work, Target: r.target}
	if err := r.mount(spec); err != nil {
		return fmt.Errorf("build layer %d: %w", st.Layer, err)
	}
	t, err := fsop.OpenTree(r.target)
	if err != nil {
		return err
	}
	r.phaseUpper = r.layers[st.Layer]
	defer func() { r.phaseUpper = "" }()
	for _, op := range st.Ops {
		if err := r.ctx.Err(); err != nil {
			t.Close()
			return err
		}
		r.lockstep(phase, t, op)
	}
	t.Close()
	return r.unmount()
}

func (r *scenarioRun) mountRuntime() error {
	spec := backend.MountSpec{Lowers: backend.TopFirst(r.layers), Upper: r.upper, Work: r.work, Target: r.target}
	if err := r.mount(spec); err != nil {
		return fmt.Errorf("runtime mount: %w", err)
	}
	return nil
}

func (r *scenarioRun) mount(spec backend.MountSpec) error {
	if r.mounted != nil {
		return errors.New("harness: mount while mounted")
	}
	m, err := r.cfg.Backend.Mount(r.ctx, spec)
	if err != nil {
		return err
	}
	r.mounted = m
	r.stack = append([]string{spec.Upper}, spec.Lowers...)
	return nil
}

func (r *scenarioRun) unmount() error {
	if r.mounted == nil {
		return nil
	}
	m := r.mounted
	r.mounted, r.stack = nil, nil
	return m.Unmount()
}

// teardown unmounts whatever is still mounted and removes the scratch
// directory, unless --keep or something could not be unmounted.
func (r *scenarioRun) teardown() error {
	err := r.unmount()
	r.ref.Close()
	if r.dir == "" || r.cfg.Keep {
		return err
	}
	if err != nil {
		return fmt.Errorf("%w (left %s in place)", err, r.dir)
	}
	if mounted, _ := mounts.Beneath(r.dir); len(mounted) > 0 {
		return fmt.Errorf("still mounted beneath %s: %s (left in place)", r.dir, strings.Join(mounted, ", "))
	}
	return os.RemoveAll(r.dir)
}

// snapshotMerged snapshots the live merged view, with the access matrix
// and direct lookups of every name any layer or the reference holds.
// ref is the reference as it stands.
func (r *scenarioRun) snapshotMerged(ref *snapshot.Snapshot) (*snapshot.Snapshot, error) {
	s, err := snapshot.TakeSnapshot(r.target, snapshot.SnapshotOptions{Identities: r.base.Identities})
	if err != nil {
		return nil, err
	}
	s.Lookup(r.target, r.lookupCandidates(ref))
	return s, nil
}

// lookupCandidates are the names a deleted or hidden entry could come back
// under: every path of every layer, of the runtime upper and of ref.
func (r *scenarioRun) lookupCandidates(ref *snapshot.Snapshot) []string {
	set := map[string]bool{}
	for p := range ref.Entries {
		set[p] = true
	}
	for _, s := range r.lowerSnaps { // taken by snapshotLowers before this mount
		if s != nil {
			for p := range s.Entries {
				set[p] = true
			}
		}
	}
	for _, st := range r.s.Steps {
		for _, op := range st.Ops {
			for _, p := range op.Paths() {
				set[fsop.CleanRel(p)] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// named lists the paths that the scenario's ops name and would copy up
// (every op but a removal, which leaves a whiteout and copies nothing).
func (r *scenarioRun) named() map[string]bool {
	out := map[string]bool{}
	for _, st := range r.s.Steps {
		for _, op := range st.Ops {
			if k := op.Kind(); k == "remove" || k == "remove-all" {
				continue
			}
			for _, p := range op.Paths() {
				out[fsop.CleanRel(p)] = true
			}
		}
	}
	return out
}

// snapshotLowers records every read-only layer of this scenario, and the
// hardlink groups they hold (for Evidence.LowerLinks).
func (r *scenarioRun) snapshotLowers() ([]*snapshot.Snapshot, error) {
	r.lowerLinks = map[string][]string{}
	out := make([]*snapshot.Snapshot, len(r.layers))
	for k, l := range r.layers {
		if k == 0 && l == r.base.Dir {
			out[k] = r.base.snap
			continue
		}
		s, err := snapshot.TakeSnapshot(l, snapshot.SnapshotOptions{})
		if err != nil {
			return nil, err
		}
		out[k] = s
	}
	for _, s := range out {
		if s == nil {
			continue
		}
		for p, e := range s.Entries {
			r.lowerLinks[p] = append(r.lowerLinks[p], e.Links...)
		}
	}
	r.lowerSnaps = out
	return out, nil
}

// checkLowers reports every change of a read-only layer since before. A
// layer whose stamps (stat of every entry, see stamp.go) have not moved is
// unchanged; only a layer whose stamps moved is snapshotted again and
// compared, to say what changed.
func (r *scenarioRun) checkLowers(phase string, before []*snapshot.Snapshot) error {
	for k, l := range r.layers {
		if before[k] == nil {
			continue
		}
		if before[k].Unchanged(l) {
			continue
		}
		after, err := snapshot.TakeSnapshot(l, snapshot.SnapshotOptions{})
		if err != nil {
			return err
		}
		fs := snapshot.CompareAs(snapshot.KindLowerModified, phase, before[k], after)
		for i := range fs {
			fs[i].Path = fmt.Sprintf("layer %d: %s", k, fs[i].Path)
		}
		r.findings = append(r.findings, fs...)
	}
	return nil
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
