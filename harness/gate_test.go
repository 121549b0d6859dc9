package harness

import (
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"github.com/layercheck/layercheck/harness/triage"
)

func failing(name string, ops int, fs ...snapshot.Finding) Result {
	return Result{Name: name, Verdict: Fail, Findings: fs, Ops: make([]OpRecord, ops)}
}

var (
	setgid = snapshot.Finding{Kind: snapshot.KindMode, Path: "a", Field: "mode", Reference: "2770", Merged: "0770"}
	exdev  = snapshot.Finding{Kind: snapshot.KindErrno, Path: "b", Field: "rename", Reference: "ok", Merged: "EXDEV"}
)

// TestGateWithoutBaseline: errors and unexpected findings fail, xpass only
// when asked, pass, xfail and skip never; a result whose only unexpected
// findings are standing does not fail.
func TestGateWithoutBaseline(t *testing.T) {
	standing := setgid
	standing.Standing = true
	for _, c := range []struct {
		r    Result
		g    Gate
		want bool
	}{
		{Result{Verdict: Pass}, Gate{}, false},
		{Result{Verdict: XFail}, Gate{}, false},
		{Result{Verdict: Skip}, Gate{}, false},
		{Result{Verdict: Error}, Gate{}, true},
		{Result{Verdict: XPass}, Gate{}, false},
		{Result{Verdict: XPass}, Gate{FailOnXPass: true}, true},
		{failing("f", 1, setgid), Gate{}, true},
		{failing("f", 1, standing), Gate{}, false},
	} {
		if got := c.g.Fails(c.r); got != c.want {
			t.Errorf("%+v with %+v: fails %v, want %v", c.r, c.g, got, c.want)
		}
	}
}

// TestGateWithBaseline: a deviation the baseline holds passes, a new one
// fails, an error always fails; Judge sorts the run's deviations into
// new, present and gone, and fails on gone only when asked.
func TestGateWithBaseline(t *testing.T) {
	base := triage.NewBaseline([]string{triage.Signature(setgid), "gone signature"})
	g := Gate{Baseline: base}
	old, fresh := failing("old", 2, setgid), failing("fresh", 1, exdev)
	if g.Fails(old) {
		t.Error("a deviation the baseline holds fails")
	}
	if !g.Fails(fresh) || !g.Fails(Result{Verdict: Error}) {
		t.Error("a new deviation or an error passes")
	}
	j := g.Judge([]Result{old, fresh})
	if len(j.New) != 1 || j.New[0].Signature != triage.Signature(exdev) || len(j.Present) != 1 || len(j.Gone) != 1 || !j.Fails {
		t.Errorf("judgement %+v", j)
	}
	if j := g.Judge([]Result{old}); j.Fails {
		t.Errorf("nothing new, gone not asked for: fails %+v", j)
	}
	g.FailOnGone = true
	if j := g.Judge([]Result{old}); !j.Fails || j.Gone[0] != "gone signature" {
		t.Errorf("gone asked for: %+v", j)
	}
}

// TestDeviationsGroupAndPickSmallest: the same signature in several
// scenarios, on other paths, is one deviation with their count, and its
// example is the scenario with the fewest ops, then the lowest layer.
func TestDeviationsGroupAndPickSmallest(t *testing.T) {
	other := setgid
	other.Path, other.Reference, other.Merged = "elsewhere", "2755", "0755"
	atLayer := func(r Result, k int) Result {
		r.Scenario = scenario.Scenario{Steps: []scenario.Step{scenario.AtLayer(k, fsop.Chmod{Path: "a"})}}
		return r
	}
	ds := Deviations([]Result{
		atLayer(failing("big", 5, setgid), 1),
		atLayer(failing("small-high", 1, other), 3),
		atLayer(failing("small-low", 1, setgid, setgid), 1),
		failing("errno", 2, exdev),
		{Name: "passing", Verdict: Pass, Findings: []snapshot.Finding{setgid}},
	})
	if len(ds) != 2 {
		t.Fatalf("deviations %+v, want 2", ds)
	}
	var mode Deviation
	for _, d := range ds {
		if d.Kind == snapshot.KindMode {
			mode = d
		}
	}
	if mode.Scenarios != 3 || mode.Smallest != "small-low" || mode.Ops != 1 {
		t.Errorf("mode deviation %+v: want 3 scenarios, smallest small-low", mode)
	}
}
