package harness

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// runCheck runs a scenario that is its own procedure (scenario.Check)
// instead of the phases: in a directory of its own beneath the scratch,
// removed afterwards unless --keep. A check mounts kernel overlayfs
// itself, so on another backend it is a skip; its findings give the
// verdict as every scenario's do (standing findings do not apply: it
// builds no stack from the base).
func runCheck(ctx context.Context, cfg Config, s scenario.Scenario, res *Result) {
	if name := cfg.Backend.Name(); name != "overlay" {
		res.Verdict, res.Reason = Skip, fmt.Sprintf("checks kernel overlayfs itself through fsopen(2); the backend is %s", name)
		return
	}
	if len(s.KernelLog) > 0 && !cfg.KernelLogOK {
		res.Verdict, res.Reason = Skip, kernelLogSkip(s.KernelLog)
		return
	}
	dir, err := os.MkdirTemp(cfg.Scratch, "check-")
	if err != nil {
		res.Verdict, res.Reason = Error, err.Error()
		return
	}
	h := startHealth() // health.go: the check runs on this locked thread
	out, err := safeCheck(ctx, s.Check, dir)
	res.Findings = out.Findings
	markKnown(res.Findings, knownIssuesOf(cfg.Backend), &backend.Evidence{}) // expect.go
	h.finish(&scenarioRun{cfg: cfg, s: s, ctx: ctx, dir: dir}, res)
	dropKernelNotes(res, s.KernelLog)
	for _, n := range out.Notes {
		res.Ops = append(res.Ops, OpRecord{Stage: "check", Op: n})
	}
	res.Reason = ""
	switch {
	case err != nil:
		res.Verdict, res.Reason = Error, err.Error()
	case out.Skip != "":
		res.Verdict, res.Reason = Skip, out.Skip
	default:
		var missing []string
		res.Verdict, missing = verdict(res.Findings, s.Expect, nil)
		if len(missing) > 0 {
			res.Reason = "documented deviation did not show: " + strings.Join(missing, ", ")
		}
	}
	if left, _ := mounts.Beneath(dir); len(left) > 0 {
		res.Verdict, res.Reason = Error, fmt.Sprintf("the check left mounted: %s (left %s in place)", strings.Join(left, ", "), dir)
		return
	}
	if cfg.Keep {
		res.Dir = dir
		return
	}
	if err := os.RemoveAll(dir); err != nil && res.Verdict != Error {
		res.Verdict, res.Reason = Error, err.Error()
	}
}

// kernelLogSkip is the reason a scenario that makes the kernel print the
// lines (Scenario.KernelLog) is a skip where the run does not allow it.
func kernelLogSkip(lines []string) string {
	return fmt.Sprintf("writes to the kernel log (the kernel prints %q for what it provokes): runs with --kernel-log-ok, "+
		"and under layercheck vm, whose guest's log is no host's", lines)
}

// safeCheck runs c; a panic of it is the scenario's error, not the end
// of the run.
func safeCheck(ctx context.Context, c scenario.Check, dir string) (out scenario.CheckResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = scenario.CheckResult{}, fmt.Errorf("check panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return c.Run(ctx, dir), nil
}

// dropKernelNotes takes out of res's kernel findings and suspects the
// lines the check provoked on purpose (scenario.Scenario.KernelLog).
func dropKernelNotes(res *Result, notes []string) {
	if len(notes) == 0 {
		return
	}
	noted := func(l string) bool {
		return slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(l, n) })
	}
	var kept []snapshot.Finding
	for _, f := range res.Findings {
		body, ok := strings.CutPrefix(f.Merged, kernelLogged)
		if !ok || (f.Kind != snapshot.KindCrash && f.Kind != snapshot.KindKernelWarning) {
			kept = append(kept, f)
			continue
		}
		lines := slices.DeleteFunc(strings.Split(body, "\n"), noted)
		if len(lines) > 0 {
			f.Merged = kernelLogged + strings.Join(lines, "\n")
			kept = append(kept, f)
		}
	}
	res.Findings = kept
	for _, l := range res.KernelSuspects {
		if noted(l) {
			res.KernelProvoked = append(res.KernelProvoked, l)
		}
	}
	res.KernelSuspects = slices.DeleteFunc(res.KernelSuspects, noted)
}
