package main

import (
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness"
)

// TestNothingRanExitsFour: a run in which every scenario skipped tested
// nothing: exit 4, and one line that says why (not exit 0).
func TestNothingRanExitsFour(t *testing.T) {
	RequireRoot(t)
	code, stdout, stderr := layercheck(t, "--depth", "1", "--suite", "whiteout", "--focus", "^whiteout/rename-into-deleted-name-at-runtime",
		"--scratch", t.TempDir(), "--quiet")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := lines[len(lines)-1]
	if code != exitNothingRan || !strings.HasPrefix(last, "nothing ran: all 1 scenarios skipped; the most common reason: \"places ops in") {
		t.Errorf("exit %d, last line %q; want 4 and why\n%s\n%s", code, last, stdout, stderr)
	}
}

func TestNothingRanAndMostlySkipped(t *testing.T) {
	standing := harness.Result{Name: "standing/rootfs", Suite: harness.StandingSuite, Verdict: harness.Pass}
	skip := harness.Result{Name: "s/a", Suite: "s", Verdict: harness.Skip, Reason: "needs layers"}
	pass := harness.Result{Name: "s/b", Suite: "s", Verdict: harness.Pass}
	if got := nothingRan([]harness.Result{standing, skip, pass}); got != "" {
		t.Errorf("one ran: %q", got)
	}
	if got := nothingRan([]harness.Result{standing, skip, skip}); !strings.Contains(got, "all 2 scenarios skipped") || !strings.Contains(got, `"needs layers" (2)`) {
		t.Errorf("all skipped: %q", got)
	}
	standSkip := standing
	standSkip.Verdict, standSkip.Reason = harness.Skip, "cannot build"
	if got := nothingRan([]harness.Result{standSkip, pass}); !strings.Contains(got, "standing scenario standing/rootfs skipped (cannot build)") {
		t.Errorf("standing skipped: %q", got)
	}
	if got := mostlySkipped([]harness.Result{standing, skip, skip, pass}); !strings.HasPrefix(got, "Most scenarios skipped: 2 of 3") {
		t.Errorf("mostly skipped: %q", got)
	}
	if got := mostlySkipped([]harness.Result{standing, skip, pass}); got != "" {
		t.Errorf("half skipped: %q", got)
	}
}
