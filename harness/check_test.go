package harness

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend/control"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// fakeCheck gives a fixed result and records the directory it was given.
type fakeCheck struct {
	out scenario.CheckResult
	dir *string
}

func (c fakeCheck) Run(_ context.Context, dir string) scenario.CheckResult {
	*c.dir = dir
	return c.out
}

// TestRunCheckVerdicts: a check's finding fails the scenario (a known
// issue's tag included), its skip is the verdict's reason, a clean check
// passes, and its directory is gone afterwards; on another backend than
// kernel overlay it is a skip without running.
func TestRunCheckVerdicts(t *testing.T) {
	ovl, err := overlay.NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Backend: ovl, Scratch: t.TempDir()}
	finding := snapshot.Finding{Kind: snapshot.KindInvariant, Path: "/proc/self/mountinfo", Field: "lowerdir+ colon", Merged: "a:b", Reference: `a\072b`}
	for _, c := range []struct {
		out  scenario.CheckResult
		want Verdict
	}{
		{scenario.CheckResult{}, Pass},
		{scenario.CheckResult{Findings: []snapshot.Finding{finding}}, Fail},
		{scenario.CheckResult{Skip: "no feature"}, Skip},
	} {
		var dir string
		res := RunScenario(context.Background(), cfg, scenario.Scenario{Suite: "modern", Name: "x", Check: fakeCheck{c.out, &dir}})
		if res.Verdict != c.want || (c.want == Skip && res.Reason != "no feature") {
			t.Errorf("%+v: %s %q, want %s", c.out, res.Verdict, res.Reason, c.want)
		}
		if _, err := os.Stat(dir); dir == "" || !os.IsNotExist(err) {
			t.Errorf("the check's directory %q: %v, want it made and removed", dir, err)
		}
		if c.want == Fail && res.Findings[0].KnownIssue != overlay.KnownColonUnescaped {
			t.Errorf("finding %v: want the known issue %s", res.Findings[0], overlay.KnownColonUnescaped)
		}
	}
	var dir string
	cfg.Backend = control.New()
	res := RunScenario(context.Background(), cfg, scenario.Scenario{Suite: "modern", Name: "x", Check: fakeCheck{scenario.CheckResult{}, &dir}})
	if res.Verdict != Skip || !strings.Contains(res.Reason, "control") || dir != "" {
		t.Errorf("on control: %s %q, ran in %q; want a skip naming the backend, not run", res.Verdict, res.Reason, dir)
	}
}
