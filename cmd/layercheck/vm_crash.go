package main

import (
	"strings"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/vm"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// vmCrashReport is the results of a boot whose guest crashed, hung or
// died: one failing result a scenario that was running then (or one
// "vm/boot" result when none was), each with a crash finding carrying
// what the console said and where the console log is.
func vmCrashReport(out *vm.Outcome, release string) *report {
	field := "vm-died"
	switch {
	case strings.HasPrefix(out.Crash, "hung"):
		field = "vm-hang"
	case !strings.HasPrefix(out.Crash, "died"):
		field = "vm-panic"
	}
	f := snapshot.Finding{Kind: snapshot.KindCrash, Field: field, Merged: out.Crash + " (console log: " + out.ConsoleLog + ")",
		Reference: "the run goes on to its end"}
	names := out.Running
	if len(names) == 0 {
		names = []string{"vm/boot"}
	}
	r := &report{Version: 1, Command: "layercheck vm", Target: target{Kernel: release, Backend: "overlay"}}
	for _, n := range names {
		suite, _, _ := strings.Cut(n, "/")
		r.Scenarios = append(r.Scenarios, harness.Result{Name: n, Suite: suite, Verdict: harness.Fail,
			Reason: "the guest crashed, hung or died while it ran: " + out.Crash, Findings: []snapshot.Finding{f}})
	}
	r.Summary = summary{Scenarios: len(names), Fail: len(names), Failing: len(names)}
	r.Deviations = harness.Deviations(r.Scenarios)
	return r
}

// writeVMCrash writes the crash results to the --json, --junit and --tap
// files asked for.
func writeVMCrash(out *vm.Outcome, release string, g *guestRun) error {
	r := vmCrashReport(out, release)
	if err := r.writeFiles(g.outputs["json"], g.outputs["junit"]); err != nil {
		return err
	}
	return r.writeTAP(g.outputs["tap"])
}
