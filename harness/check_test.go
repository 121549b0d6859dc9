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

// TestKernelLogChecksAreOptIn: a check that declares the kernel lines it
// makes the kernel print (Scenario.KernelLog) does not run without
// Config.KernelLogOK: a skip whose reason says it writes to the kernel
// log and names the flag; with it, it runs, and the line it declared is
// no suspect of the run.
func TestKernelLogChecksAreOptIn(t *testing.T) {
	ovl, err := overlay.NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Backend: ovl, Scratch: t.TempDir()}
	var dir string
	s := scenario.Scenario{Suite: "modern", Name: "x", Check: fakeCheck{scenario.CheckResult{}, &dir}, KernelLog: []string{"lazy lowerdata lookup failed"}}
	res := RunScenario(context.Background(), cfg, s)
	if res.Verdict != Skip || dir != "" || !strings.Contains(res.Reason, "kernel log") || !strings.Contains(res.Reason, "--kernel-log-ok") ||
		!strings.Contains(res.Reason, "lazy lowerdata lookup failed") {
		t.Errorf("without KernelLogOK: %s %q, ran in %q; want a skip naming the line and --kernel-log-ok, not run", res.Verdict, res.Reason, dir)
	}
	cfg.KernelLogOK = true
	res = RunScenario(context.Background(), cfg, s)
	if res.Verdict != Pass || dir == "" {
		t.Errorf("with KernelLogOK: %s %q, ran in %q; want it run", res.Verdict, res.Reason, dir)
	}
	line := "[ 1.5] overlayfs: lazy lowerdata lookup failed (etc/f, err=-2)"
	res = Result{KernelSuspects: []string{line, "[ 1.6] overlayfs: other"}}
	dropKernelNotes(&res, s.KernelLog)
	if len(res.KernelSuspects) != 1 || len(res.KernelProvoked) != 1 || res.KernelProvoked[0] != line {
		t.Errorf("suspects %q provoked %q: want the declared line provoked, the other a suspect", res.KernelSuspects, res.KernelProvoked)
	}
}
