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
)

// report is the JSON contract of DESIGN.md ("version": 1). Fields may be
// added; none may be renamed.
type report struct {
	Version   int              `json:"version"`
	Target    target           `json:"target"`
	Summary   summary          `json:"summary"`
	Command   string           `json:"command"`
	Scenarios []harness.Result `json:"scenarios"`
}

type target struct {
	Backend  string `json:"backend"`
	Options  string `json:"options"`
	Kernel   string `json:"kernel"`
	FS       string `json:"fs"`
	Depth    int    `json:"depth"`
	Rootless bool   `json:"rootless"`
	Base     string `json:"base,omitempty"`
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

func newReport(sess *harness.Session, b harness.Backend, f *runFlags, results []harness.Result, took time.Duration) *report {
	r := &report{
		Version: 1,
		Target: target{Backend: b.Name(), Options: b.Options(), Kernel: kernelRelease(), FS: sess.FSType(),
			Depth: f.depth, Base: f.base},
		Command:   strings.Join(os.Args, " "),
		Scenarios: results,
	}
	for _, res := range results {
		if res.Findings == nil {
			res.Findings = []harness.Finding{}
		}
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
			r.Scenarios[i].Findings = []harness.Finding{}
		}
	}
	r.Summary.Seconds = took.Seconds()
	return r
}

func (r *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// print writes the human summary: failures with their findings in plain
// words (security findings first), errors and skips with their reasons,
// expected deviations grouped by citation, then the counts.
func (r *report) print(w io.Writer, verbose bool) {
	t := r.Target
	fmt.Fprintf(w, "layercheck: %s (options %q) on %s, kernel %s, depth %d\n\n", t.Backend, t.Options, t.FS, t.Kernel, t.Depth)
	for _, res := range r.Scenarios {
		switch {
		case res.Verdict == harness.Fail:
			fmt.Fprintf(w, "FAIL  %s\n", res.Name)
			for _, f := range res.Unexpected() {
				fmt.Fprintf(w, "      %s\n", f)
			}
		case res.Verdict == harness.Error:
			fmt.Fprintf(w, "ERROR %s\n      %s\n", res.Name, firstLine(res.Reason))
		case res.Verdict == harness.XPass:
			fmt.Fprintf(w, "XPASS %s\n      %s\n", res.Name, res.Reason)
		case verbose:
			fmt.Fprintf(w, "%-5s %s", strings.ToUpper(res.Verdict), res.Name)
			if res.Reason != "" {
				fmt.Fprintf(w, ": %s", res.Reason)
			}
			fmt.Fprintln(w)
			for _, f := range res.Findings {
				fmt.Fprintf(w, "      %s\n", f)
			}
		}
	}
	// Expected deviations, grouped by what documents them.
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
	if len(byCite) > 0 {
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
	s := r.Summary
	fmt.Fprintf(w, "\n%d scenarios: %d pass, %d fail, %d xfail, %d xpass, %d skip, %d error in %.1fs\n",
		s.Scenarios, s.Pass, s.Fail, s.XFail, s.XPass, s.Skip, s.Error, s.Seconds)
}

// maskedPaths names the paths where an expected deviation showed.
func maskedPaths(res harness.Result, id string) string {
	var ps []string
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if f.Expectation == id && f.Kind != harness.KindAccess && !seen[f.Path] {
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
			if f.Expectation == id && f.Kind != harness.KindAccess {
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
