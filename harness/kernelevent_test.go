package harness

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/layercheck/layercheck/harness/kernlog"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestKernelEventsKeepTime: a suspect keeps its time through the rerun's
// bookkeeping (lineKey ignores it) and comes out as an event with its
// time since boot and on the wall clock; --fail-on kernel-event is off
// unless asked.
func TestKernelEventsKeepTime(t *testing.T) {
	l := kernlog.Line{Time: 770210 * time.Millisecond, Text: "WARNING: CPU: 1 PID: 7 at x.c:1 f+0x0/0x1"}
	s := stamp(l)
	if lineKey(s) != lineKey(l.Text) {
		t.Errorf("lineKey(%q) = %q, want %q", s, lineKey(s), lineKey(l.Text))
	}
	ev := KernelEvents([]string{s, "taint: W"})
	if len(ev) != 2 || ev[1].Uptime != 770.21 || ev[1].Text != l.Text || ev[1].Time.IsZero() || ev[0].Text != "taint: W" {
		t.Fatalf("events %+v", ev)
	}
	if (Gate{}).FailsOnEvents(ev) || !(Gate{FailOnKernelEvent: true}).FailsOnEvents(ev) || (Gate{FailOnKernelEvent: true}).FailsOnEvents(nil) {
		t.Error("FailsOnEvents: want true only when asked and there are events")
	}
}

// TestFilesystemWarningIsNotACrash: an overlayfs line at warning level is a
// kernel warning, ranked below crash; a WARNING splat stays a crash.
func TestFilesystemWarningIsNotACrash(t *testing.T) {
	fs := kernelFindings([]string{"overlayfs: failed to get index nlink (u/a, err=-61)", "WARNING: CPU: 0 PID: 1 at x.c:1"}, nil)
	if len(fs) != 2 || fs[0].Kind != snapshot.KindCrash || fs[1].Kind != snapshot.KindKernelWarning || fs[1].Field != "overlayfs" {
		t.Fatalf("findings %+v", fs)
	}
	if fs[1].Severity() != snapshot.SeverityKernelWarning || strings.Contains(fs[0].Merged, "index nlink") {
		t.Errorf("findings %+v", fs)
	}
	order := snapshot.Severities
	if slices.Index(order, snapshot.SeverityKernelWarning) != slices.Index(order, snapshot.SeverityCrash)+1 {
		t.Errorf("severity order %v: kernel warning must follow crash", order)
	}
}

// TestProvokedLineIsNobodysSuspect: a line a check provoked on purpose
// and declared is dropped from the suspects of a scenario that ran beside
// it, so it becomes neither a rerun nor a kernel event; the same line
// undeclared stays an event. (A canceled context: no rerun either way.)
func TestProvokedLineIsNobodysSuspect(t *testing.T) {
	line := stamp(kernlog.Line{Time: 1500 * time.Millisecond, Text: "overlayfs: failed to verify upper root origin"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	beside := Result{KernelSuspects: []string{line}}
	if got := RecheckKernel(ctx, Config{}, []Result{{KernelProvoked: []string{line}}, beside}); len(got) != 0 {
		t.Errorf("a provoked line stayed unattributed: %v", got)
	}
	beside = Result{KernelSuspects: []string{line}}
	if got := RecheckKernel(ctx, Config{}, []Result{{}, beside}); len(got) != 1 {
		t.Errorf("an undeclared line: %v unattributed, want it as the one event", got)
	}
}
