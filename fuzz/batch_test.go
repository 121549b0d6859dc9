package fuzz

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/layercheck/layercheck/fixtures"
	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend/registry"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// openSession opens a session of backend on the fixtures, in a scratch of
// the test's, closed at its end.
func openSession(t *testing.T, backend string) h.Config {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: it mounts")
	}
	be, err := registry.NewBackend(backend, "")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := h.OpenSession(context.Background(), h.Plan{Backend: be, Depth: 3, Bases: fixtures.Bases(""), ScratchBase: t.TempDir(), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	sess.RunStanding(context.Background(), []scenario.Scenario{{Fixture: "mini"}})
	return sess.Config()
}

// outcome is what a scenario's result comes to for fuzz: its verdict, the
// signatures it would be filed under and the finding cells it counts.
func outcome(res h.Result) string {
	var sigs, cells []string
	for _, f := range res.Unexpected() {
		sigs = append(sigs, keyOf(res, f))
	}
	for _, f := range res.Findings {
		cells = append(cells, cell(f))
	}
	sort.Strings(sigs)
	sort.Strings(cells)
	return fmt.Sprintf("%s %q %q", res.Verdict, sigs, cells)
}

// TestBatchGivesSoloOutcomes: seed 7, 300 scenarios on kernel overlay
// (LAYERCHECK_BATCH_SEED, LAYERCHECK_BATCH_BACKEND: 200 of another seed,
// another backend), run alone and through the queue a run batches them
// with (batches of 16): every scenario comes to the same verdict, the
// same signatures and the same finding cells both ways, and
// most of those that do not skip came from a batch (else the test would
// prove nothing).
func TestBatchGivesSoloOutcomes(t *testing.T) {
	be := "overlay"
	if v := os.Getenv("LAYERCHECK_BATCH_BACKEND"); v != "" { // another backend
		be = v
	}
	cfg := openSession(t, be)
	ctx := context.Background()
	bm := baseModel(cfg.Bases["mini"])
	rememberBase("mini", bm)
	seed, count := uint64(7), 300
	if v := os.Getenv("LAYERCHECK_BATCH_SEED"); v != "" { // another seed, to look into a difference
		fmt.Sscan(v, &seed)
		count = 200
	}
	g := &Generator{Seed: seed, Depth: cfg.Depth, Fixture: "mini", Base: bm, Identities: cfg.Bases["mini"].Identities, Offline: true, Runnable: runnable(cfg)}
	bt, why := newBatcher(cfg, "mini", 16)
	if bt == nil {
		t.Fatal(why)
	}
	var batched atomic.Int64
	diffs, runnable, failing := 0, 0, map[string]bool{}
	// Through the queue, as a run batches them: each scenario's result
	// from its batch (or alone), then alone.
	q := newQueue(bt)
	got := map[string]h.Result{}
	run := func(js []job) {
		for k, res := range runJobs(ctx, cfg, bt, js, &batched) {
			got[js[k].s.Name] = res
		}
	}
	for i := 0; i < count; i++ {
		s, cov := g.Scenario(i)
		if js := q.add(job{s, cov}); js != nil {
			run(js)
		}
	}
	for js := q.drain(); js != nil; js = q.drain() {
		run(js)
	}
	for i := 0; i < count; i++ {
		s, _ := g.Scenario(i)
		solo := h.RunScenario(ctx, cfg, s)
		if outcome(solo) != outcome(got[s.Name]) {
			diffs++
			t.Errorf("%s:\n solo  %s %s\n batch %s %s\n%s%v", s.Name, outcome(solo), solo.Reason, outcome(got[s.Name]), got[s.Name].Reason, describe(s), got[s.Name].Findings)
		}
		if solo.Verdict == h.Fail {
			failing[s.Name] = true
		}
		if solo.Verdict != h.Skip {
			runnable++
		}
	}
	t.Logf("%d scenarios (%d not skipped), %d from batches, %d failing alone, %d differ", count, runnable, batched.Load(), len(failing), diffs)
	if int(batched.Load()) < runnable/2 {
		t.Errorf("only %d of %d scenarios that run came from a batch", batched.Load(), runnable)
	}
}

// describe is s's steps, one op a line.
func describe(s scenario.Scenario) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  times %q rebuild %v\n", s.Times, s.Rebuild)
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			fmt.Fprintf(&b, "  %s %d: %s\n", st.Phase, st.Layer, op.Shell())
		}
	}
	return b.String()
}

// TestBatchAttributesAPlantedFailure: in a batch of five, slot 2 holds a
// scenario that kernel overlay fails alone (fuzz seed 1 found and shrank
// it: a hardlink pair made in layer 1, chowned and unlinked through the
// merged view, loses a name from its link group); the other four write,
// chmod and append a file of their own. The batch gives that failure to
// slot 2 alone, with the signatures the scenario shows alone, and the
// others' results, taken from the batch, are what they are alone.
func TestBatchAttributesAPlantedFailure(t *testing.T) {
	cfg := openSession(t, "overlay")
	ctx := context.Background()
	planted := scenario.Scenario{Name: "planted", Suite: "fuzz", Fixture: "mini", Steps: []scenario.Step{
		scenario.AtLayer(1, fsop.WriteFile{Path: "hl", Data: "x", Mode: 0o755}, fsop.Link{Old: "hl", New: "hl2"}, fsop.Link{Old: "hl", New: "hl3"}),
		scenario.Runtime(fsop.Chown{Path: "hl3"}, fsop.Remove{Path: "hl"}),
	}}
	var subs []scenario.Scenario
	for k := 0; k < 5; k++ {
		s := scenario.Scenario{Name: fmt.Sprintf("filler%d", k), Suite: "fuzz", Fixture: "mini", Steps: []scenario.Step{
			scenario.AtLayer(1, fsop.WriteFile{Path: "home/f", Data: "x", Mode: 0o644}),
			scenario.Runtime(fsop.Chmod{Path: "home/f", Mode: 0o600}, fsop.Append{Path: "etc/passwd", Data: "y"}),
		}}
		if k == 2 {
			s = planted
		}
		subs = append(subs, s)
	}
	bt, why := newBatcher(cfg, "mini", len(subs))
	if bt == nil {
		t.Fatal(why)
	}
	if bt.groupKey(planted) == "" || bt.groupKey(planted) != bt.groupKey(subs[0]) {
		t.Fatalf("the scenarios do not batch together: %q, %q", bt.groupKey(planted), bt.groupKey(subs[0]))
	}
	solo := make([]h.Result, len(subs))
	for k, s := range subs {
		solo[k] = h.RunScenario(ctx, cfg, s)
	}
	if solo[2].Verdict != h.Fail {
		t.Fatalf("the planted scenario alone: %s, want fail: %v", solo[2].Verdict, solo[2].Findings)
	}
	// The batch itself, before any confirmation: only slot 2 fails.
	bcfg, fixture, err := bt.config(len(subs))
	if err != nil {
		t.Fatal(err)
	}
	res := h.RunScenario(ctx, bcfg, bt.combine(subs, fixture))
	per, ok := splitFindings(res.Findings, len(subs))
	if !ok {
		t.Fatalf("the batch's findings lie outside its slots: %v", res.Findings)
	}
	for k := range subs {
		var unexpected []string
		for _, f := range per[k] {
			if !f.Expected() {
				unexpected = append(unexpected, keyOf(solo[k], f))
			}
		}
		sort.Strings(unexpected)
		var want []string
		for _, f := range solo[k].Unexpected() {
			want = append(want, keyOf(solo[k], f))
		}
		sort.Strings(want)
		if fmt.Sprint(unexpected) != fmt.Sprint(want) {
			t.Errorf("slot %d (%s): the batch's unexpected findings %q, alone %q", k, subs[k].Name, unexpected, want)
		}
	}
	// Through the batcher: slot 2 is confirmed alone, the rest come from
	// the batch, each with its solo outcome.
	got, fromBatch := bt.run(ctx, cfg, subs)
	for k := range subs {
		if outcome(got[k]) != outcome(solo[k]) {
			t.Errorf("%s: batched %s, alone %s", subs[k].Name, outcome(got[k]), outcome(solo[k]))
		}
		if fromBatch[k] != (k != 2) {
			t.Errorf("%s: from the batch %v", subs[k].Name, fromBatch[k])
		}
	}
}

// TestPrefixOpConfines: an op's paths and descriptor name go beneath the
// slot; what would act on the root or outside the slot is refused.
func TestPrefixOpConfines(t *testing.T) {
	for _, c := range []struct {
		op   fsop.Op
		want []string // the prefixed op's Paths; nil: refused
	}{
		{fsop.Rename{From: "tmp/a", To: "b"}, []string{"@3/tmp/a", "@3/b"}},
		{fsop.Open{Path: "held", FD: "h"}, []string{"@3/held"}},
		{fsop.FstatFD{FD: "h"}, []string{"fd:@3/h"}},
		{fsop.Link{Old: "bin/tool", New: "x"}, []string{"@3/bin/tool", "@3/x"}},
		{fsop.Symlink{Target: "etc/passwd", Path: "l"}, []string{"@3/l"}},
		{fsop.Symlink{Target: "../etc/passwd", Path: "l"}, nil},
		{fsop.Symlink{Target: "/etc/passwd", Path: "l"}, nil},
		{fsop.Chmod{Path: ".", Mode: 0o700}, nil},
		{fsop.Chmod{Path: "a/../..", Mode: 0o700}, nil},
		{fsop.ListTwice{Path: ""}, nil},
		{fsop.Exec{Path: "bin/tool"}, nil},
	} {
		got, ok := prefixOp(c.op, slot(3))
		if ok != (c.want != nil) {
			t.Errorf("%s: confined %v, want %v", c.op.Shell(), ok, c.want != nil)
			continue
		}
		if ok && fmt.Sprint(got.Paths()) != fmt.Sprint(c.want) {
			t.Errorf("%s: paths %q, want %q", c.op.Shell(), got.Paths(), c.want)
		}
		if o, isOpen := got.(fsop.Open); isOpen && o.FD != "@3/h" {
			t.Errorf("%s: descriptor %q, want @3/h", c.op.Shell(), o.FD)
		}
	}
}
