package fuzz

import (
	"context"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Options configure a fuzz run.
type Options struct {
	// Session is the run's engine (backend, bases, depth, scratch,
	// timeout): the fixture's standing scenario runs through it first, and
	// every scenario then runs on its Config.
	Session  *h.Session
	Seed     uint64
	Count    int           // scenarios to run (0: until Duration)
	Duration time.Duration // time to run for (0: until Count)
	Workers  int
	Fixture  string
	Offline  bool // generate offline changes of layer 0
	// Gate says which results are failures to file (the command line's
	// policy; the zero Gate fails every unexpected finding).
	Gate h.Gate
	// ShrinkBudget is the most runs spent shrinking one distinct failure.
	ShrinkBudget int
	// Progress, if set, is called after each scenario with the counts so far.
	Progress func(done, failing int, rate float64)
	// Batch is the most scenarios run in one stack (batch.go); 0 or 1
	// runs each alone.
	Batch int

	cfg h.Config // the session's, with the fixture's standing findings
}

// Failure is one distinct failure (one signature) and where it showed.
type Failure struct {
	Signature  string           // triage.Signature, " (on a directory)" added for a directory's times and inode (signature.go)
	Hits       int              // scenarios that showed it
	First      h.Result         // the first of them
	Minimal    h.Result         // the shrunk scenario's result
	Depth      int              // the depth the shrunk scenario runs at
	ShrinkRuns int              // runs the shrinking took
	Tries      int              // runs a crash needed to show again (crash.go); 1 otherwise
	Ops        int              // ops in the shrunk scenario
	Known      string           // a known issue of the backend it matches, if any
	Finding    snapshot.Finding // the finding it is filed under, from the shrunk run
}

// Report is what a fuzz run found.
type Report struct {
	Seed          uint64
	Scenarios     int
	Seconds       float64 // exploring, shrinking not included
	ShrinkSeconds float64
	Verdicts      map[h.Verdict]int
	Failures      []*Failure
	Errors        []h.Result     // scenarios the harness could not run (the first few)
	Standing      []h.Result     // the null scenario of the fixture, run first
	Coverage      map[string]int // "op @ place on type" -> count; "pattern NAME", "check NAME" -> scenarios
	// Produced counts the findings of every scenario by kind and field
	// (coverage.go); Unreachable are the kinds this configuration cannot
	// produce, with why.
	Produced    map[string]int
	Unreachable map[snapshot.Kind]string
	// Batched counts the scenarios whose result came from a batch
	// (batch.go); BatchOff says why batching was off, if it was asked for.
	Batched  atomic.Int64
	BatchOff string
}

// Rate is scenarios per second while exploring.
func (r *Report) Rate() float64 {
	if r.Seconds == 0 {
		return 0
	}
	return float64(r.Scenarios) / r.Seconds
}

// Run explores random scenarios, files every unexpected failure under its
// signature, then shrinks the first scenario of each signature.
func Run(ctx context.Context, o Options) *Report {
	// What the stack shows with no op is no random scenario's failure.
	standing := o.Session.RunStanding(ctx, []scenario.Scenario{{Fixture: o.Fixture}})
	o.cfg = o.Session.Config()
	base := o.cfg.Bases[o.Fixture]
	bm := baseModel(base)
	rememberBase(o.Fixture, bm) // signature.go
	g := &Generator{Seed: o.Seed, Depth: o.cfg.Depth, Fixture: o.Fixture, Base: bm, Identities: base.Identities, Offline: o.Offline,
		Runnable: runnable(o.cfg)}
	rep := &Report{Seed: o.Seed, Verdicts: map[h.Verdict]int{}, Coverage: map[string]int{}, Produced: map[string]int{},
		Unreachable: Unreachable(o.cfg)}
	g.NoTimes = rep.Unreachable[snapshot.KindTime] != ""
	rep.Standing = standing
	bySig := map[string]*Failure{}
	var mu sync.Mutex
	var next atomic.Int64
	start := time.Now()
	deadline := time.Time{}
	if o.Duration > 0 {
		deadline = start.Add(o.Duration)
	}
	bt := rep.batching(o)
	q := newQueue(bt)
	// run runs what the queue gives and counts it into the report.
	run := func(js []job) {
		results := runJobs(ctx, o.cfg, bt, js, &rep.Batched)
		if ctx.Err() != nil {
			return // an interrupted scenario says nothing
		}
		mu.Lock()
		defer mu.Unlock()
		for k, res := range results {
			rep.add(res, js[k].cov, bySig, o.Gate)
			if o.Progress != nil {
				o.Progress(rep.Scenarios, len(bySig), float64(rep.Scenarios)/time.Since(start).Seconds())
			}
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < max(o.Workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if o.Count > 0 && i >= o.Count || !deadline.IsZero() && time.Now().After(deadline) {
					break
				}
				s, cov := g.Scenario(i)
				if js := q.add(job{s, cov}); js != nil {
					run(js)
				}
			}
			for js := q.drain(); js != nil && ctx.Err() == nil; js = q.drain() {
				run(js) // the last, partial batches
			}
		}()
	}
	wg.Wait()
	rep.Seconds = time.Since(start).Seconds()
	rep.shrinkAll(ctx, o, bySig)
	return rep
}

// batching is the batcher of the run (nil: each scenario alone;
// batch.go); BatchOff says why batching asked for is off.
func (rep *Report) batching(o Options) *batcher {
	if o.Batch < 2 {
		return nil
	}
	bt, why := newBatcher(o.cfg, o.Fixture, o.Batch)
	if bt == nil {
		rep.BatchOff = why
	}
	return bt
}

// add counts one scenario's result into the report, and files it under
// its new signatures if the gate fails it (the caller holds the lock).
func (rep *Report) add(res h.Result, cov map[string]int, bySig map[string]*Failure, gate h.Gate) {
	rep.Scenarios++
	rep.Verdicts[res.Verdict]++
	for k, v := range cov {
		rep.Coverage[k] += v
	}
	rep.countFindings(res)
	switch {
	case res.Verdict == h.Error:
		if len(rep.Errors) < 5 {
			rep.Errors = append(rep.Errors, res)
		}
	case gate.Fails(res):
		file(bySig, res, gate)
	}
}

// shrinkAll shrinks each distinct failure, in the order they were first
// seen, o.Workers at a time.
func (rep *Report) shrinkAll(ctx context.Context, o Options, bySig map[string]*Failure) {
	for _, f := range bySig {
		rep.Failures = append(rep.Failures, f)
	}
	sort.Slice(rep.Failures, func(i, j int) bool { return rep.Failures[i].First.Name < rep.Failures[j].First.Name })
	shrinkStart := time.Now()
	var swg sync.WaitGroup
	sem := make(chan struct{}, max(o.Workers, 1))
	for _, f := range rep.Failures {
		swg.Add(1)
		sem <- struct{}{}
		go func(f *Failure) {
			defer func() { <-sem; swg.Done() }()
			shrink(ctx, o, f)
		}(f)
	}
	swg.Wait()
	rep.ShrinkSeconds = time.Since(shrinkStart).Seconds()
}

// shrink minimises f.First and runs the result once more for its record.
func shrink(ctx context.Context, o Options, f *Failure) {
	run := func(c Candidate) h.Result {
		cfg := o.cfg
		cfg.Depth = c.Depth
		return h.RunScenario(ctx, cfg, c.Scenario)
	}
	start := Candidate{Scenario: f.First.Scenario, Depth: o.cfg.Depth}
	f.Tries = crashTries(ctx, run, start, f.Signature) // crash.go
	tries := 1
	if f.Tries > 1 || isCrash(f.Signature) {
		tries = 2 * f.Tries
	}
	min, runs := Shrink(start, func(c Candidate) bool { return showsWithin(ctx, run, c, f.Signature, tries) }, max(o.ShrinkBudget, 1))
	f.ShrinkRuns = runs
	f.Depth = min.Depth
	f.Minimal = run(min)
	for i := 1; i < tries && ctx.Err() == nil && !shows(f.Minimal, f.Signature); i++ {
		f.Minimal = run(min)
	}
	f.Minimal.Repeats = crashRepeats(f)
	if !shows(f.Minimal, f.Signature) { // flaky: keep the original
		f.Minimal, f.Depth = f.First, o.cfg.Depth
	}
	f.Minimal.Name = f.First.Name + "/shrunk"
	for _, st := range f.Minimal.Scenario.Steps {
		f.Ops += len(st.Ops)
	}
	f.Finding, _ = findingOf(f.Minimal, f.Signature)
}

// baseModel is the generator's model of a base tree: path -> type.
func baseModel(b *scenario.Base) map[string]string {
	s, err := snapshot.TakeSnapshot(b.Dir, snapshot.SnapshotOptions{})
	m := map[string]string{".": "dir"}
	if err != nil {
		return m
	}
	for p, e := range s.Entries {
		m[p] = e.Type
	}
	return m
}

// touched reports whether p is named, or lies under or above a path named,
// by any op of the steps: offline changes keep away from those, because a
// plain copy has no counterpart of a change to a lower entry that an upper
// one hides.
func touched(steps []scenario.Step, p string) bool {
	for _, st := range steps {
		for _, op := range st.Ops {
			for _, q := range op.Paths() {
				q = path.Clean(q)
				if p == q || strings.HasPrefix(p, q+"/") || strings.HasPrefix(q, p+"/") {
					return true
				}
			}
		}
	}
	return false
}

// runnable is Generator.Runnable for cfg: an op runs unless the session's
// feature probe found missing what it needs (harness.Config.Lacks).
func runnable(cfg h.Config) func(fsop.Op) bool {
	return func(op fsop.Op) bool {
		return cfg.Lacks(scenario.Scenario{Steps: []scenario.Step{scenario.Runtime(op)}}) == ""
	}
}
