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
	Scenarios []harness.Result `json:"scenarios"`
	// repro is the index of reproducers, when --repro-dir wrote them;
	// resultsFile the JSON results that --rerun-failed can read.
	repro       string
	resultsFile string
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
			Depth: f.depth, Base: f.base, Build: string(sess.Config.Build), Rootless: f.rootless, Layout: string(sess.Layout())},
		Command:   strings.Join(os.Args, " "),
		Scenarios: results,
	}
	if sess.Config.Format != nil {
		r.Target.Format = sess.Config.Format.Name()
	}
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
	}
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
	if t.Rootless {
		fmt.Fprintf(w, ", rootless (user namespace; its root is host uid %d)", sandbox.RootlessHostID)
	}
	fmt.Fprintln(w)
	if verbose {
		fmt.Fprintln(w)
		for _, res := range r.Scenarios {
			fmt.Fprintf(w, "%-5s %s", strings.ToUpper(string(res.Verdict)), res.Name)
			if res.Reason != "" {
				fmt.Fprintf(w, ": %s", firstLine(res.Reason))
			}
			fmt.Fprintln(w)
			for _, f := range res.Findings {
				fmt.Fprintf(w, "      %s\n", f)
			}
		}
	}
	bySev := map[snapshot.Severity][]string{}
	for _, res := range r.Scenarios {
		if res.Verdict != harness.Fail {
			continue
		}
		lines := map[snapshot.Severity][]string{}
		for _, f := range res.Unexpected() {
			sev := f.Severity()
			lines[sev] = append(lines[sev], "      "+f.String())
		}
		for sev, ls := range lines {
			bySev[sev] = append(bySev[sev], "    "+res.Name)
			bySev[sev] = append(bySev[sev], ls...)
		}
	}
	if len(bySev) > 0 {
		fmt.Fprintln(w, "\nUnexpected findings, by severity:")
		for _, sev := range snapshot.Severities {
			if ls := bySev[sev]; len(ls) > 0 {
				fmt.Fprintf(w, "  %s:\n%s\n", strings.ToUpper(string(sev)), strings.Join(ls, "\n"))
			}
		}
	}
	for _, res := range r.Scenarios {
		switch res.Verdict {
		case harness.Error:
			fmt.Fprintf(w, "\nERROR %s\n      %s\n", res.Name, firstLine(res.Reason))
		case harness.XPass:
			fmt.Fprintf(w, "\nXPASS %s\n      %s\n", res.Name, res.Reason)
		}
	}
	r.printExpected(w)
	s := r.Summary
	fmt.Fprintf(w, "\n%d scenarios: %d pass, %d fail, %d xfail, %d xpass, %d skip, %d error in %.1fs\n",
		s.Scenarios, s.Pass, s.Fail, s.XFail, s.XPass, s.Skip, s.Error, s.Seconds)
	if r.repro != "" {
		fmt.Fprintf(w, "Reproducers: %s\n", r.repro)
	}
	if cmd := r.rerunCommand(); cmd != "" {
		fmt.Fprintf(w, "Rerun only the failures: %s\n", cmd)
	}
}

// printExpected lists the xfail scenarios grouped by the documentation
// that explains them, naming the paths where each deviation showed.
func (r *report) printExpected(w io.Writer) {
	byCite := map[string][]string{}
	for _, res := range r.Scenarios {
		if res.Verdict != harness.XFail {
			continue
		}
		seen := map[string]bool{}
		for _, f := range res.Findings {
			if f.Expected() && !seen[f.Expectation] {
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
		fmt.Fprintf(w, "  %s: %s\n", id, citationOf(r, id))
		for _, n := range byCite[id] {
			fmt.Fprintf(w, "    %s\n", n)
		}
	}
}

// rerunCommand is the command that runs only this run's failures again:
// the same arguments with --rerun-failed on the results file (the --json
// file, or last-run.json in the scratch directory when none was asked for).
func (r *report) rerunCommand() string {
	if r.Summary.Fail+r.Summary.Error == 0 || r.resultsFile == "" {
		return ""
	}
	args := os.Args[1:]
	keep := []string{"layercheck"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "focus", "shard", "rerun-failed", "json", "junit", "repro-dir", "cpuprofile":
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
