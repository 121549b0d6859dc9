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

// TestBatchGivesSoloOutcomes: seed 7, 300 scenarios on kernel overlay,
// run alone and through batches of 16: every scenario comes to the same
// verdict, the same signatures and the same finding cells both ways, and
// most of them came from a batch (else the test would prove nothing).
func TestBatchGivesSoloOutcomes(t *testing.T) {
	cfg := openSession(t, "overlay")
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
	diffs, failing := 0, map[string]bool{}
	for i := 0; i < count; i += batchChunk * 16 {
		var ss []scenario.Scenario
		for k := i; k < min(i+batchChunk*16, count); k++ {
			s, _ := g.Scenario(k)
			ss = append(ss, s)
		}
		got := runChunk(ctx, cfg, bt, ss, &batched)
		for k, s := range ss {
			solo := h.RunScenario(ctx, cfg, s)
			if outcome(solo) != outcome(got[k]) {
				diffs++
				t.Errorf("%s:\n solo  %s\n batch %s\n%s%v", s.Name, outcome(solo), outcome(got[k]), describe(s), got[k].Findings)
			}
			if solo.Verdict == h.Fail {
				failing[s.Name] = true
			}
		}
	}
	t.Logf("%d scenarios, %d from batches, %d failing alone, %d differ", count, batched.Load(), len(failing), diffs)
	if int(batched.Load()) < count/2 {
		t.Errorf("only %d of %d scenarios came from a batch", batched.Load(), count)
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
