package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/triage"
)

// gateFlags are the flags every command that judges results shares:
// --fail-on xpass,gone and --baseline FILE. They make the one harness.Gate.
type gateFlags struct {
	failOn   string
	baseline string
}

// gate is the policy the flags ask for; the baseline file is read here.
func (g gateFlags) gate() (harness.Gate, error) {
	var out harness.Gate
	for _, v := range strings.Split(g.failOn, ",") {
		switch strings.TrimSpace(v) {
		case "":
		case "xpass":
			out.FailOnXPass = true
		case "gone":
			out.FailOnGone = true
		case "kernel-event":
			out.FailOnKernelEvent = true
		default:
			return out, &harness.UsageError{Setting: "fail-on", Msg: fmt.Sprintf("%q: it takes xpass, gone and kernel-event", v)}
		}
	}
	if out.FailOnGone && g.baseline == "" {
		return out, &harness.UsageError{Setting: "fail-on", Msg: "gone: only with --baseline (gone from what?)"}
	}
	if g.baseline != "" {
		b, err := loadBaseline(g.baseline)
		if err != nil {
			return out, &harness.UsageError{Setting: "baseline", Msg: err.Error()}
		}
		out.Baseline = b
	}
	return out, nil
}

// loadBaseline reads a baseline: the JSON results of an earlier run (its
// deviations are the baseline) or the file `layercheck baseline` writes.
func loadBaseline(path string) (*triage.Baseline, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '{' {
		r, err := readReport(path)
		if err != nil {
			return nil, err
		}
		return baselineOf([]*report{r}), nil
	}
	return triage.ReadBaseline(bytes.NewReader(b))
}

// baselineOf is the baseline of the deviations of the reports, with a
// comment saying where and when they were recorded.
func baselineOf(reports []*report) *triage.Baseline {
	var sigs, comment []string
	comment = append(comment, "layercheck baseline: one deviation signature a line (layercheck --baseline FILE)")
	for _, r := range reports {
		t := r.Target
		comment = append(comment, fmt.Sprintf("from %s: %s (options %q) on %s, kernel %s, depth %d, build %s", r.Command, t.Backend, t.Options, t.FS, t.Kernel, t.Depth, t.Build))
		for _, d := range harness.Deviations(r.Scenarios) {
			sigs = append(sigs, d.Signature)
		}
	}
	comment = append(comment, "recorded "+time.Now().UTC().Format(time.RFC3339))
	return triage.NewBaseline(sigs, comment...)
}

// cmdBaseline writes the baseline of one or more results files:
//
//	layercheck baseline RESULTS.json... > FILE
func cmdBaseline(args []string, w io.Writer) (int, error) {
	if wantsHelp(args) {
		fmt.Fprintln(w, "usage: layercheck baseline RESULTS.json... > FILE\n  the deviations of runs (their --json), as a file for --baseline FILE")
		return exitOK, nil
	}
	if len(args) == 0 {
		return 0, &harness.UsageError{Msg: "baseline: give the JSON results (--json) of the runs to record"}
	}
	var reports []*report
	for _, a := range args {
		r, err := readReport(a)
		if err != nil {
			return 0, &harness.UsageError{Msg: "baseline: " + err.Error()}
		}
		reports = append(reports, r)
	}
	_, err := baselineOf(reports).WriteTo(w)
	return exitOK, err
}

// baselineReport is what --baseline made of a run, in the JSON.
type baselineReport struct {
	File    string   `json:"file"`
	New     []string `json:"new"`
	Present []string `json:"present"`
	Gone    []string `json:"gone"`
}

func signaturesOf(ds []harness.Deviation) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Signature)
	}
	return out
}

// judge applies the gate to the report's scenarios and records the
// deviations (and, with a baseline, what is new, present and gone).
func (r *report) judge() harness.Judgement {
	j := r.gate.Judge(r.Scenarios)
	j.Fails = j.Fails || r.gate.FailsOnEvents(r.KernelEvents)
	r.Deviations = append(append([]harness.Deviation{}, j.New...), j.Present...)
	if r.gate.Baseline != nil {
		r.Baseline = &baselineReport{File: r.baselineFile, New: signaturesOf(j.New), Present: signaturesOf(j.Present), Gone: append([]string{}, j.Gone...)}
	}
	return j
}

// printDeviations prints the run's distinct deviations, each once, by
// severity: the count of scenarios, the smallest one and its finding, its
// reproducer. With a baseline, the new ones first, then those still
// present (one line each), then those gone.
func (r *report) printDeviations(w io.Writer, j harness.Judgement, verbose bool) {
	title := "Distinct deviations"
	if r.gate.Baseline != nil {
		title = "New deviations (not in the baseline " + r.baselineFile + ")"
	}
	if len(j.New) > 0 {
		fmt.Fprintf(w, "\n%s: %d (severity, scenarios showing it, the smallest one)\n", title, len(j.New))
		printDeviationList(w, j.New, verbose)
	}
	if r.gate.Baseline == nil {
		return
	}
	if len(j.New) == 0 {
		fmt.Fprintf(w, "\nNo new deviation (baseline %s).\n", r.baselineFile)
	}
	if len(j.Present) > 0 {
		fmt.Fprintf(w, "\nStill present (in the baseline): %d\n", len(j.Present))
		for _, d := range j.Present {
			fmt.Fprintf(w, "  %s: %s, smallest %s\n", d.Signature, plural(d.Scenarios, "scenario"), d.Smallest)
		}
	}
	if len(j.Gone) > 0 {
		fmt.Fprintf(w, "\nGone (in the baseline, not seen now): %d\n", len(j.Gone))
		for _, s := range j.Gone {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
}

// printDeviationList prints one line a deviation: its severity, how many
// scenarios show it, its signature and the smallest scenario showing it
// (its reproducer, when one was written); -v adds that scenario's finding.
func printDeviationList(w io.Writer, ds []harness.Deviation, verbose bool) {
	width := 0
	for _, d := range ds {
		width = min(max(width, len(d.Signature)), 44)
	}
	for _, d := range ds {
		example := d.Smallest
		if d.Repro != "" {
			example = "sh " + d.Repro
		}
		fmt.Fprintf(w, "  %-10s %4d  %-*s  %s (%s)\n", d.Severity, d.Scenarios, width, d.Signature, example, plural(d.Ops, "op"))
		if verbose {
			fmt.Fprintf(w, "%18s%s\n", "", d.Finding)
		}
	}
}

// plural is "1 scenario", "2 scenarios".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
