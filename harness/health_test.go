package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/kernlog"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// fakeKernel stands in for /dev/kmsg: each Check returns the records that
// records() makes at that moment, formatted as the kernel formats them
// (facility 0 for the kernel's own, 1 for what a process wrote), parsed
// by kernlog as a Watch parses them.
type fakeKernel struct {
	records func() []string
	checks  int
}

func (k *fakeKernel) Check() (kernlog.Report, error) {
	k.checks++
	return kernlog.Report{Lines: kernlog.ParseRecords(k.records()...)}, nil
}

func (k *fakeKernel) Close() error { return nil }

func withFakeKernel(t *testing.T, records func(checks int) []string) {
	t.Helper()
	noPause(t)
	old := openKernelWatch
	n := 0
	openKernelWatch = func() (kernelWatch, error) {
		n++
		c := n
		return &fakeKernel{records: func() []string { return records(c) }}, nil
	}
	t.Cleanup(func() { openKernelWatch = old })
}

// warnAt is a WARN_ON splat of the task pid, as the kernel logs it.
func warnAt(pid int) []string {
	return []string{
		"4,9001,5000000,-;------------[ cut here ]------------",
		fmt.Sprintf("4,9002,5000010,-;WARNING: CPU: 1 PID: %d at fs/overlayfs/copy_up.c:1234 ovl_copy_up_one+0x1a/0x2b0", pid),
		"4,9003,5000020,-;Call Trace:",
		"4,9004,5000030,-;---[ end trace 0000000000000000 ]---",
	}
}

func crashFindingsOf(res Result) []snapshot.Finding {
	var out []snapshot.Finding
	for _, f := range res.Findings {
		if f.Kind == snapshot.KindCrash {
			out = append(out, f)
		}
	}
	return out
}

// TestKernelWarningOfTheScenarioIsACrash: a WARNING whose task is the
// scenario's own thread fails it with a crash finding carrying the splat;
// one of another task is a suspect that a rerun alone attributes when it
// comes again, and reports as unattributed when it does not; lines a
// process wrote and overlayfs's notes on its set-up are no finding.
func TestKernelWarningOfTheScenarioIsACrash(t *testing.T) {
	cfg := testConfig(t, requireOverlay(t), 2)
	s := scenario.Scenario{Name: "k", Suite: "t", Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: "etc/passwd", Mode: 0o600})}}
	quiet := []string{
		"12,8000,4000000,-;WARNING: CPU: 0 PID: 1 at fake.c:1 written by a test", // facility 1: a process
		"4,8001,4000001,-;overlayfs: upper fs does not support tmpfile.",
		"6,8002,4000002,-;overlayfs: conflicting options: nfs_export=on,metacopy=on",
	}

	withFakeKernel(t, func(int) []string { return append(quiet, warnAt(unix.Gettid())...) })
	res := RunScenario(context.Background(), cfg, s)
	ks := crashFindingsOf(res)
	if res.Verdict != Fail || len(ks) != 1 || ks[0].Field != "warning" ||
		!strings.Contains(ks[0].Merged, "fs/overlayfs/copy_up.c:1234") || strings.Contains(ks[0].Merged, "written by a test") {
		t.Fatalf("own warning: verdict %s, crash findings %v; want one warning with the splat", res.Verdict, ks)
	}

	withFakeKernel(t, func(int) []string { return append(quiet, warnAt(1)...) })
	res = RunScenario(context.Background(), cfg, s)
	if res.Verdict != Pass || len(res.KernelSuspects) != 1 {
		t.Fatalf("another task's warning: verdict %s, suspects %q; want pass with one suspect", res.Verdict, res.KernelSuspects)
	}
	results := []Result{res}
	if un := RecheckKernel(context.Background(), cfg, results); len(un) != 0 || results[0].Verdict != Fail || len(crashFindingsOf(results[0])) != 1 {
		t.Fatalf("a warning that comes again alone: unattributed %q, verdict %s; want it the scenario's", un, results[0].Verdict)
	}

	withFakeKernel(t, func(n int) []string {
		if n == 1 {
			return warnAt(1)
		}
		return nil
	})
	results = []Result{RunScenario(context.Background(), cfg, s)}
	if un := RecheckKernel(context.Background(), cfg, results); len(un) != 1 || results[0].Verdict != Pass {
		t.Fatalf("a warning that does not come again: unattributed %q, verdict %s; want it unattributed and a pass", un, results[0].Verdict)
	}
}

// sharesUpper is kernel overlay set up wrong on purpose: the runtime
// mount's upper and work dir are mounted a second time elsewhere (and
// unmounted), which the kernel warns about ("upperdir is in-use ...").
type sharesUpper struct{ *overlay.Overlay }

func (b sharesUpper) Mount(ctx context.Context, s backend.MountSpec) (backend.Mount, error) {
	m, err := b.Overlay.Mount(ctx, s)
	if err != nil || filepath.Base(s.Upper) != "u" {
		return m, err
	}
	again := s
	again.Target = s.Target + "-again"
	if err := os.MkdirAll(again.Target, 0o755); err != nil {
		m.Unmount()
		return nil, err
	}
	if m2, err := b.Overlay.Mount(ctx, again); err == nil {
		m2.Unmount()
	}
	return m, nil
}

// TestRealOverlayWarningIsAttributed: the kernel's own warning about a
// bad set-up, which names no path and no task, is attributed by rerunning
// the scenario alone, and fails it with the kernel's words, as a logged
// warning of the filesystem (KindKernelWarning: overlayfs warned, nothing
// crashed).
//
// It makes the host's kernel log a line, which a test may not do unasked:
// it runs with LAYERCHECK_TEST_HOST_KERNEL_LOG=1 (the fake kernel log of
// the tests above covers the same attribution without it).
func TestRealOverlayWarningIsAttributed(t *testing.T) {
	if os.Getenv("LAYERCHECK_TEST_HOST_KERNEL_LOG") != "1" {
		t.Skip("writes overlayfs's in-use warning to the host's kernel log: set LAYERCHECK_TEST_HOST_KERNEL_LOG=1 to run it")
	}
	o := requireOverlay(t)
	if _, err := kernlog.Open(); err != nil {
		t.Skipf("no kernel log here: %v", err)
	}
	cfg := testConfig(t, sharesUpper{o}, 2)
	s := scenario.Scenario{Name: "k", Suite: "t", Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: "etc/passwd", Mode: 0o600})}}
	results := []Result{RunScenario(context.Background(), cfg, s)}
	if len(results[0].KernelSuspects) == 0 {
		t.Errorf("the warning names no path nor task, yet was not left to the rerun: %v", results[0].Findings)
	}
	RecheckKernel(context.Background(), cfg, results)
	var ks []snapshot.Finding
	for _, f := range results[0].Findings {
		if f.Kind == snapshot.KindKernelWarning {
			ks = append(ks, f)
		}
	}
	if results[0].Verdict != Fail || len(ks) == 0 || !strings.Contains(ks[0].Merged, "is in-use as upperdir/workdir of another mount") {
		t.Fatalf("verdict %s, kernel-warning findings %v (all: %v); want the kernel's in-use warning", results[0].Verdict, ks, results[0].Findings)
	}
	t.Log(ks[0])
}

// noPause drops RecheckKernel's wait for the kernel's rate limit: the
// fake kernel has none.
func noPause(t *testing.T) {
	old := RatelimitPause
	RatelimitPause = 0
	t.Cleanup(func() { RatelimitPause = old })
}

// TestRecheckAttributesALineOnce: a line two scenarios both saw is
// claimed by the first whose rerun brings it back; the second is not
// rerun for it, and it is not reported as unattributed.
func TestRecheckAttributesALineOnce(t *testing.T) {
	cfg := testConfig(t, requireOverlay(t), 2)
	s := scenario.Scenario{Name: "k", Suite: "t", Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: "etc/passwd", Mode: 0o600})}}
	opened := 0
	withFakeKernel(t, func(n int) []string {
		opened = n
		return warnAt(1)
	})
	results := []Result{RunScenario(context.Background(), cfg, s), RunScenario(context.Background(), cfg, s)}
	un := RecheckKernel(context.Background(), cfg, results)
	if len(un) != 0 || opened != 3 || results[0].Verdict != Fail || results[1].Verdict != Pass {
		t.Fatalf("unattributed %q, %d runs, verdicts %s %s; want the first claims it after one rerun", un, opened, results[0].Verdict, results[1].Verdict)
	}
}
