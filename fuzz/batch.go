package fuzz

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Batching: most of what one small scenario costs is the stack around it
// (the directories, the mounts, the commit check's images, the remount,
// the teardown), not its ops. So several generated scenarios run in one
// stack, each confined to its own subtree: the batched base holds one copy
// of the fixture per slot (@0, @1, ...), each scenario's paths and
// descriptor names are prefixed with its slot, and each finding is given
// back, without the prefix, to the scenario whose slot it names.
//
// A batch can never create a finding: a scenario that comes out of its
// batch failing is run again alone through the normal path, and that
// result is what is counted, filed and shrunk; so is every scenario of a
// batch that errs, crashes, skips or shows a finding no slot owns (the
// batch's root). What is kept from a batch is only a pass or an xfail
// (every finding documented), whose findings are counted for coverage.
//
// What is not confined runs alone: an op on the root or with a path that
// climbs out ("..", an absolute path or symlink target), an op kind the
// generator does not make (programs, O_TMPFILE), a scenario that declares
// deviations or would skip, one whose steps do not merge (two steps in one
// layer), and everything when the fixture's standing scenario shows a
// finding (standing findings are matched to the fixture's paths). Scenarios
// are batched only with others of the same whole-stack dimensions: the
// same Times policy (the atime policy is a mount option), the same Rebuild,
// and offline steps or none (those change layer 0, which then is copied).

// slot is the subtree of the batched base that scenario k of a batch gets.
func slot(k int) string { return fmt.Sprintf("@%d", k) }

// batcher runs batches of scenarios in one stack.
type batcher struct {
	cfg     h.Config // the run's
	fixture string   // the fixture the scenarios start from
	n       int      // most slots
	mu      sync.Mutex
	sized   map[int]h.Config // by slots: cfg with a batched base of that many slots
}

// newBatcher says why batching is off for cfg, or returns a batcher whose
// batched bases (k copies of the fixture's base, beside it, on the same
// filesystem: one base for each batch size, so that no batch walks empty
// slots) are built as batches need them.
func newBatcher(cfg h.Config, fixture string, n int) (*batcher, string) {
	base := cfg.Bases[fixture]
	switch {
	case n < 2:
		return nil, "batch size below 2"
	case base == nil:
		return nil, "no base"
	case cfg.Layout != "" && cfg.Layout != layout.SameFS || cfg.Idmap != nil || cfg.Build != h.BuildMount || cfg.BuildWith != nil:
		// Layer 0 is the base directory itself only in this configuration;
		// elsewhere the per-layer copies would grow with the batch.
		return nil, "only with the samefs layout, --build mount, no --build-with or --idmap"
	case len(cfg.Standing[fixture]) > 0:
		return nil, "the fixture's standing scenario shows findings"
	case !batchProven[cfg.Backend.Name()]:
		return nil, "batches are checked against solo runs only on " + strings.Join(slices.Sorted(maps.Keys(batchProven)), " and ")
	case len(base.Clashes) > 0 || len(base.Omitted) > 0:
		return nil, "a --base tree or a base with omitted paths"
	}
	return &batcher{cfg: cfg, fixture: fixture, n: n, sized: map[int]h.Config{}}, ""
}

// config is the run's Config with a batched base of k slots among its
// bases, and that base's fixture name.
func (b *batcher) config(k int) (h.Config, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	name := fmt.Sprintf("%s-batch-%d", b.fixture, k)
	if c, ok := b.sized[k]; ok {
		return c, name, nil
	}
	base := b.cfg.Bases[b.fixture]
	dir := filepath.Join(filepath.Dir(base.Dir), name)
	if err := buildBatchedBase(base.Dir, dir, k); err != nil {
		return h.Config{}, "", fmt.Errorf("batched base: %w", err)
	}
	bb := &scenario.Base{Name: name, Dir: dir, Identities: base.Identities}
	if err := bb.Seal(); err != nil {
		return h.Config{}, "", fmt.Errorf("batched base: %w", err)
	}
	c := b.cfg
	c.Bases = maps.Clone(b.cfg.Bases)
	c.Bases[name] = bb
	b.sized[k] = c
	return c, name, nil
}

// batchProven are the backends whose batches TestBatchGivesSoloOutcomes
// found to give every scenario its solo outcome. unionfs-fuse is not one:
// it showed, alone, d_ino findings on directories that its batch did not
// (its inode numbers come from the daemon's lookups, which a batch
// multiplies), and errors alone that its batch did not have;
// fuse-overlayfs's standing finding on the root turns batching off anyway.
var batchProven = map[string]bool{"overlay": true, "control": true}

// buildBatchedBase copies src to dst/@k for each slot, each with its
// root's metadata and times, and gives dst the same.
func buildBatchedBase(src, dst string, n int) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	for k := 0; k < n; k++ {
		if err := fsop.CopyTree(src, filepath.Join(dst, slot(k))); err != nil {
			return err
		}
	}
	return fsop.CopyDirMeta(src, dst) // last: the copies moved its mtime
}

// groupKey is what scenarios batched together must share, or "" for a
// scenario that runs alone.
func (b *batcher) groupKey(s scenario.Scenario) string {
	if len(s.Expect) > 0 || len(s.Requires) > 0 || s.Skip != "" || b.cfg.SkipReason(s) != "" {
		return ""
	}
	offline := false
	last := -1 // the steps must be layers ascending, one runtime step, offline steps
	for _, st := range s.Steps {
		if st.Var != "" {
			return ""
		}
		rank := 0
		switch st.Phase {
		case scenario.PhaseLayer:
			rank = 1 + st.Layer
		case scenario.PhaseRuntime:
			rank = 1 + h.MaxDepth + 1
		case scenario.PhaseOffline:
			offline = true
			rank = 1 + h.MaxDepth + 2 + (st.Layer + 1)
		}
		if rank <= last {
			return ""
		}
		last = rank
		for _, op := range st.Ops {
			if _, ok := prefixOp(op, slot(0)); !ok {
				return ""
			}
		}
	}
	return fmt.Sprintf("times=%s rebuild=%v offline=%v", s.Times, s.Rebuild, offline)
}

// pathFields are the fields of an op that name a path beneath the tree,
// or (FD) a descriptor of the scenario's own.
var pathFields = map[string]bool{"Path": true, "From": true, "To": true, "Old": true, "New": true, "Dir": true, "FD": true}

// unconfined are the op kinds that are never batched: the generator makes
// none of them, and they act beyond the paths they name.
var unconfined = map[string]bool{"exec": true, "write-program": true, "open-tmpfile": true, "linkat": true}

// prefixOp is op with every path and descriptor name beneath pre, or false
// when op cannot be confined to pre: a path on the root or climbing out, a
// symlink target that climbs out, or a path Paths() reports that the
// rewrite missed.
func prefixOp(op fsop.Op, pre string) (fsop.Op, bool) {
	v := reflect.ValueOf(op)
	if v.Kind() != reflect.Struct || unconfined[op.Kind()] {
		return nil, false
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	for i := 0; i < c.NumField(); i++ {
		f := c.Type().Field(i)
		if f.Name == "Target" && f.Type.Kind() == reflect.String && !confined(c.Field(i).String()) {
			return nil, false
		}
		if !pathFields[f.Name] {
			continue
		}
		if f.Type.Kind() != reflect.String {
			return nil, false
		}
		s := c.Field(i).String()
		if f.Name != "FD" && !confined(s) || f.Name == "FD" && s == "" {
			return nil, false
		}
		c.Field(i).SetString(pre + "/" + s)
	}
	out, ok := c.Interface().(fsop.Op)
	if !ok {
		return nil, false
	}
	want := op.Paths()
	for i, p := range want {
		if fd, isFD := strings.CutPrefix(p, "fd:"); isFD {
			want[i] = "fd:" + pre + "/" + fd
		} else {
			want[i] = pre + "/" + p
		}
	}
	return out, slices.Equal(out.Paths(), want)
}

// confined reports whether a relative path stays strictly beneath the
// directory it is taken from.
func confined(p string) bool {
	if p == "" || path.IsAbs(p) {
		return false
	}
	c := path.Clean(p)
	return c != "." && !slices.Contains(strings.Split(c, "/"), "..")
}

// combine is one scenario that runs subs[k] in slot k: the ops of every
// sub in each (phase, layer), sub by sub.
func (b *batcher) combine(subs []scenario.Scenario, fixture string) scenario.Scenario {
	type key struct {
		phase scenario.Phase
		layer int
	}
	var order []key
	ops := map[key][]fsop.Op{}
	for k, s := range subs {
		for _, st := range s.Steps {
			kk := key{st.Phase, st.Layer}
			if _, ok := ops[kk]; !ok {
				order = append(order, kk)
			}
			for _, op := range st.Ops {
				p, _ := prefixOp(op, slot(k)) // groupKey checked it
				ops[kk] = append(ops[kk], p)
			}
		}
	}
	rank := func(k key) int {
		switch k.phase {
		case scenario.PhaseLayer:
			return k.layer
		case scenario.PhaseRuntime:
			return h.MaxDepth + 1
		}
		return h.MaxDepth + 3 + k.layer
	}
	slices.SortStableFunc(order, func(a, c key) int { return rank(a) - rank(c) })
	out := scenario.Scenario{Name: subs[0].Name + "/batch", Suite: subs[0].Suite, Fixture: fixture, Labels: []string{h.BatchLabel},
		Times: subs[0].Times, Rebuild: subs[0].Rebuild}
	for _, kk := range order {
		out.Steps = append(out.Steps, scenario.Step{Phase: kk.phase, Layer: kk.layer, Ops: ops[kk]})
	}
	return out
}

// run runs subs (which share a groupKey) as one batch and returns each
// one's result: the batch's findings of its slot where the batch says
// pass or xfail for it, its own run alone otherwise; fromBatch[k] says
// which.
func (b *batcher) run(ctx context.Context, cfg h.Config, subs []scenario.Scenario) (out []h.Result, fromBatch []bool) {
	out, fromBatch = make([]h.Result, len(subs)), make([]bool, len(subs))
	alone := func(k int) { out[k] = h.RunScenario(ctx, cfg, subs[k]) }
	all := func() ([]h.Result, []bool) {
		for k := range subs {
			alone(k)
		}
		return out, fromBatch
	}
	if len(subs) == 1 {
		return all()
	}
	bcfg, fixture, err := b.config(len(subs))
	if err != nil {
		return all()
	}
	res := h.RunScenario(ctx, bcfg, b.combine(subs, fixture))
	if res.Verdict != h.Pass && res.Verdict != h.XFail && res.Verdict != h.Fail || len(res.KernelSuspects) > 0 {
		return all()
	}
	per, ok := splitFindings(res.Findings, len(subs))
	if !ok {
		return all()
	}
	for k, s := range subs {
		v := h.Pass
		for _, f := range per[k] {
			switch {
			case !f.Expected():
				v = h.Fail
			case v == h.Pass:
				v = h.XFail
			}
		}
		if v == h.Fail {
			alone(k) // confirmed, or not, alone: that is what counts
			continue
		}
		out[k] = h.Result{Name: s.FullName(), Suite: s.Suite, Labels: s.Labels, Scenario: s, Verdict: v,
			Findings: per[k], Seconds: res.Seconds / float64(len(subs))}
		fromBatch[k] = true
	}
	return out, fromBatch
}

// splitFindings gives each finding to the slot its path lies in, with the
// slot's prefix taken out of it; false if some finding lies in no slot
// (the batch's root) or is a crash, which no slot can own.
func splitFindings(fs []snapshot.Finding, n int) ([][]snapshot.Finding, bool) {
	per := make([][]snapshot.Finding, n)
	for _, f := range fs {
		if f.Kind == snapshot.KindCrash || f.Standing {
			return nil, false
		}
		p, isFD := strings.CutPrefix(f.Path, "fd:")
		first, rest, _ := strings.Cut(p, "/")
		k := -1
		for i := 0; i < n; i++ {
			if first == slot(i) {
				k = i
			}
		}
		if k < 0 {
			return nil, false
		}
		if rest == "" {
			rest = "."
			if f.Kind == snapshot.KindTime || f.Kind == snapshot.KindPersistence && strings.HasPrefix(f.Field, string(snapshot.KindTime)+" ") {
				// The slot's root stands for the root, whose times a
				// scenario alone never compares (snapshot.CompareTimes;
				// fsop.TouchedPaths never stamps it).
				continue
			}
		}
		if isFD {
			rest = "fd:" + rest
		}
		pre := slot(k) + "/"
		f.Path = rest
		f.Field = strings.ReplaceAll(f.Field, pre, "")
		f.Reference = strings.ReplaceAll(f.Reference, pre, "")
		f.Merged = strings.ReplaceAll(f.Merged, pre, "")
		f.Op = strings.ReplaceAll(f.Op, pre, "")
		per[k] = append(per[k], f)
	}
	return per, true
}

// queue gathers the scenarios of a run into batches: a scenario that can
// be batched waits with the others of its group key until a batch of them
// is full, or the run ends (drain), so that batches are full whatever the
// mix of keys. Grouping only the scenarios a worker took at a time left
// one scenario in twenty alone (a key rare in its chunk), at twice a
// slot's cost.
type queue struct {
	bt      *batcher // nil: every scenario alone
	mu      sync.Mutex
	waiting map[string][]job
	keys    []string // the keys waiting, in the order they first came
}

// job is a generated scenario and what it covers (coverage.go).
type job struct {
	s   scenario.Scenario
	cov map[string]int
}

func newQueue(bt *batcher) *queue { return &queue{bt: bt, waiting: map[string][]job{}} }

// add queues j and returns what is to run now: j itself when it runs
// alone, a full batch of its key, or nothing.
func (q *queue) add(j job) []job {
	key := ""
	if q.bt != nil {
		key = q.bt.groupKey(j.s)
	}
	if key == "" {
		return []job{j}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.waiting[key]; !ok {
		q.keys = append(q.keys, key)
	}
	q.waiting[key] = append(q.waiting[key], j)
	if len(q.waiting[key]) < q.bt.n {
		return nil
	}
	return q.take(key)
}

// drain returns the scenarios of one key still waiting, nil when none
// are: the last batches of a run.
func (q *queue) drain() []job {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.keys) > 0 {
		if js := q.take(q.keys[0]); len(js) > 0 {
			return js
		}
	}
	return nil
}

// take removes the waiting scenarios of key (the caller holds the lock).
func (q *queue) take(key string) []job {
	js := q.waiting[key]
	delete(q.waiting, key)
	q.keys = slices.DeleteFunc(q.keys, func(k string) bool { return k == key })
	return js
}

// runJobs runs js (one scenario, or a batch of one key) and returns their
// results in order; batched counts the results a batch gave.
func runJobs(ctx context.Context, cfg h.Config, bt *batcher, js []job, batched *atomic.Int64) []h.Result {
	subs := make([]scenario.Scenario, len(js))
	for k, j := range js {
		subs[k] = j.s
	}
	if len(subs) == 1 || bt == nil {
		out := make([]h.Result, len(subs))
		for k, s := range subs {
			out[k] = h.RunScenario(ctx, cfg, s)
		}
		return out
	}
	out, fromBatch := bt.run(ctx, cfg, subs)
	for _, b := range fromBatch {
		if b {
			batched.Add(1)
		}
	}
	return out
}
