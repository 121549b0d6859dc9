package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// report is the JSON contract of --json ("version": 1; see the README). Fields may be
// added; none may be renamed.
type report struct {
	Version   int              `json:"version"`
	Target    target           `json:"target"`
	Summary   summary          `json:"summary"`
	Command   string           `json:"command"`
	Shard     *shardInfo       `json:"shard,omitempty"`
	Scenarios []harness.Result `json:"scenarios"` // the standing entries first
	// Deviations are the distinct unexpected deviations (triage.go);
	// Baseline what --baseline made of them.
	Deviations []harness.Deviation `json:"deviations"`
	Baseline   *baselineReport     `json:"baseline,omitempty"`
	// KernelEvents are the kernel's problem lines of the run that no
	// scenario reproduced (harness.KernelEvents): in no verdict, failing
	// the run only with --fail-on kernel-event.
	KernelEvents []harness.KernelEvent `json:"kernel_events,omitempty"`
	// repro is the index of reproducers, when --repro-dir wrote them;
	// resultsFile the JSON results that --rerun-failed can read; gate
	// the policy that judges the results, baselineFile its baseline's.
	repro        string
	resultsFile  string
	gate         harness.Gate
	baselineFile string
}

// shardInfo records which part of a sharded run a report is.
type shardInfo struct {
	Index    int `json:"index"`
	Count    int `json:"count"`
	Selected int `json:"selected"` // scenarios of the whole run, all shards together
}

type target struct {
	Backend  string `json:"backend"`
	Options  string `json:"options"`
	Kernel   string `json:"kernel"`
	FS       string `json:"fs"`
	Depth    int    `json:"depth"`
	Rootless bool   `json:"rootless"`
	Base     string `json:"base,omitempty"`
	Build    string `json:"build"`            // how layers were built: mount, extract, extract-xattr
	Format   string `json:"format,omitempty"` // the on-disk format extract wrote
	Layout   string `json:"layout"`           // the storage layout: samefs, perlayer, ext4, squashfs, nested...
	Idmap    string `json:"idmap,omitempty"`  // --idmap: the layers and the mapping (idmap_flags.go)
	// KernelMissing lists the kernel features newer than 5.15 the probes
	// found missing, with the fallback used (kernel.go).
	KernelMissing []kernelFeature `json:"kernel_missing"`
	// Omitted lists the fixtures' entries the layout could not hold and
	// its bases left out (fixtures.BasesFor), with the reason.
	Omitted string `json:"omitted,omitempty"`
}

type summary struct {
	Scenarios int     `json:"scenarios"`
	Pass      int     `json:"pass"`
	Fail      int     `json:"fail"`
	XFail     int     `json:"xfail"`
	XPass     int     `json:"xpass"`
	Skip      int     `json:"skip"`
	Error     int     `json:"error"`
	Seconds   float64 `json:"seconds"`
	// Standing counts the findings of scenarios that the standing entry
	// shows too, left out of their verdicts.
	Standing int `json:"standing_findings"`
	// Failing counts the scenarios that fail the gate (with a baseline,
	// those with a new deviation or an error).
	Failing int `json:"failing"`
}

func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

func newReport(sess *harness.Session, b backend.Backend, f *runFlags, results []harness.Result, took time.Duration) *report {
	r := &report{
		Version: 1,
		Target: target{Backend: b.Name(), Options: b.Options(), Kernel: kernelRelease(), FS: sess.FSType(),
			Depth: f.depth, Base: f.base, Build: string(sess.Config().Build), Rootless: f.rootless, Layout: string(sess.Layout()),
			KernelMissing: kernelMissing(), Idmap: idmapTarget(sess.Config())},
		Command:   strings.Join(os.Args, " "),
		Scenarios: results,
		gate:      f.gate, baselineFile: f.baseline,
	}
	if sess.Config().Format != nil {
		r.Target.Format = sess.Config().Format.Name()
	}
	r.Target.Omitted = omittedNotes(sess.Config().Bases) // omitted.go
	if f.shardSpec.N > 1 {
		r.Shard = &shardInfo{Index: f.shardSpec.K, Count: f.shardSpec.N, Selected: f.selected}
	}
	r.count()
	r.Summary.Seconds = took.Seconds()
	return r
}

// count fills the summary's verdict counts from the scenarios.
func (r *report) count() {
	secs := r.Summary.Seconds
	r.Summary = summary{Seconds: secs}
	for _, res := range r.Scenarios {
		r.Summary.Scenarios++
		switch res.Verdict {
		case harness.Pass:
			r.Summary.Pass++
		case harness.Fail:
			r.Summary.Fail++
		case harness.XFail:
			r.Summary.XFail++
		case harness.XPass:
			r.Summary.XPass++
		case harness.Skip:
			r.Summary.Skip++
		case harness.Error:
			r.Summary.Error++
		}
	}
	for i := range r.Scenarios {
		if r.Scenarios[i].Findings == nil {
			r.Scenarios[i].Findings = []snapshot.Finding{}
		}
		for _, f := range r.Scenarios[i].Findings {
			if f.Standing {
				r.Summary.Standing++
			}
		}
		if r.gate.Fails(r.Scenarios[i]) {
			r.Summary.Failing++
		}
	}
	r.judge()
}

// writeFiles writes the JSON and JUnit files that were asked for.
func (r *report) writeFiles(jsonPath, junitPath string) error {
	if jsonPath != "" {
		if err := r.writeJSON(jsonPath); err != nil {
			return err
		}
	}
	if junitPath != "" {
		return r.writeJUnit(junitPath)
	}
	return nil
}

func (r *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// print writes the human summary: unexpected findings grouped by severity
// (security first), errors and xpasses with their reasons, expected
// deviations grouped by citation, the counts, and how to rerun the failures.
func (r *report) print(w io.Writer, verbose bool) {
	t := r.Target
	fmt.Fprintf(w, "layercheck: %s (options %q) on %s, kernel %s, depth %d", t.Backend, t.Options, t.FS, t.Kernel, t.Depth)
	if t.Format != "" {
		fmt.Fprintf(w, ", layers by %s: %s", t.Build, t.Format)
	}
	if t.Layout != "" && t.Layout != "samefs" {
		fmt.Fprintf(w, ", layout %s", t.Layout)
	}
	if t.Idmap != "" {
		fmt.Fprintf(w, ", idmap %s", t.Idmap)
	}
	if t.Omitted != "" {
		fmt.Fprintf(w, "; %s", t.Omitted)
	}
	if t.Rootless {
		fmt.Fprintf(w, ", rootless (user namespace; its root is host uid %d)", sandbox.RootlessHostID)
	}
	fmt.Fprintln(w)
	printKernelMissing(w, t.KernelMissing) // kernel.go
	if verbose {
		r.printScenarios(w)
	}
	r.printStanding(w, verbose)
	j := r.judge()
	r.printDeviations(w, j, verbose) // triage.go
	if r.Summary.Error+r.Summary.XPass > 0 {
		fmt.Fprintln(w)
	}
	for _, res := range r.Scenarios {
		switch {
		case res.Verdict == harness.Error:
			fmt.Fprintf(w, "ERROR %s: %s\n", res.Name, firstLine(res.Reason))
		case res.Verdict == harness.XPass:
			fmt.Fprintf(w, "XPASS %s: %s\n", res.Name, res.Reason)
		}
	}
	r.printExpected(w, verbose)
	s := r.Summary
	fmt.Fprintf(w, "\n%d scenarios: %d pass, %d fail, %d xfail, %d xpass, %d skip, %d error in %.1fs\n",
		s.Scenarios, s.Pass, s.Fail, s.XFail, s.XPass, s.Skip, s.Error, s.Seconds)
	fmt.Fprintf(w, "%d standing findings left out of the scenarios' verdicts; %d scenarios fail the gate", s.Standing, s.Failing)
	switch {
	case j.Fails && s.Failing == 0 && r.gate.FailsOnEvents(r.KernelEvents):
		fmt.Fprint(w, " (the run fails: kernel events, --fail-on kernel-event)")
	case j.Fails && s.Failing == 0:
		fmt.Fprint(w, " (the run fails: deviations gone, --fail-on gone)")
	}
	fmt.Fprintln(w)
	printIdmapNote(w, r) // idmap_flags.go
	if r.repro != "" {
		fmt.Fprintf(w, "Reproducers: %s\n", r.repro)
	}
	if cmd := r.rerunCommand(); cmd != "" {
		fmt.Fprintf(w, "Rerun only the failures: %s\n", cmd)
	}
}

// expectedListed is how many xfail scenarios of one citation the summary
// names; beyond it, it counts them (-v names them all).
const expectedListed = 3

// printExpected counts the xfail scenarios by the documentation that
// explains them and names them, with the paths where each showed (all of
// them with -v, else only when they are few).
func (r *report) printExpected(w io.Writer, verbose bool) {
	byCite := map[string][]string{}
	for _, res := range r.Scenarios {
		if res.Verdict != harness.XFail {
			continue
		}
		seen := map[string]bool{}
		for _, f := range res.Findings {
			if f.Expected() && !f.Standing && !seen[f.Expectation] {
				seen[f.Expectation] = true
				byCite[f.Expectation] = append(byCite[f.Expectation], res.Name+" ("+maskedPaths(res, f.Expectation)+")")
			}
		}
	}
	if len(byCite) == 0 {
		return
	}
	fmt.Fprintln(w, "\nExpected deviations (xfail), by documentation:")
	ids := make([]string, 0, len(byCite))
	for id := range byCite {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "  %s (%d scenarios): %s\n", id, len(byCite[id]), citationOf(r, id))
		if !verbose && len(byCite[id]) > expectedListed {
			continue
		}
		for _, n := range byCite[id] {
			fmt.Fprintf(w, "    %s\n", n)
		}
	}
}

// rerunCommand is the command that runs only this run's failures again:
// the same arguments with --rerun-failed on the results file (the --json
// file, or last-run.json in the scratch directory when none was asked for).
func (r *report) rerunCommand() string {
	if r.Summary.Failing == 0 || r.resultsFile == "" {
		return ""
	}
	args := os.Args[1:]
	keep := []string{"layercheck"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "focus", "shard", "rerun-failed", "json", "junit", "tap", "repro-dir", "cpuprofile":
			if !hasVal && i+1 < len(args) {
				i++
			}
			continue
		}
		keep = append(keep, fsop.Quote(a))
	}
	return strings.Join(append(keep, "--rerun-failed", fsop.Quote(r.resultsFile)), " ")
}

// maskedPaths names the paths where an expected deviation showed.
func maskedPaths(res harness.Result, id string) string {
	var ps []string
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if f.Expectation == id && f.Kind != snapshot.KindAccess && !seen[f.Path] {
			seen[f.Path] = true
			ps = append(ps, f.Path)
		}
	}
	if len(ps) > 4 {
		ps = append(ps[:4], fmt.Sprintf("and %d more", len(ps)-4))
	}
	return strings.Join(ps, ", ")
}

func citationOf(r *report, id string) string {
	for _, res := range r.Scenarios {
		for _, f := range res.Findings {
			if f.Expectation == id && f.Kind != snapshot.KindAccess {
				return f.ExpectedBy
			}
		}
	}
	return ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
