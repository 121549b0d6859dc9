package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/harness"
)

// standingShown is how many unexpected standing findings the summary
// lists before it counts the rest (-v lists them all).
const standingShown = 10

// printStanding reports each standing entry once: its verdict and its
// findings (the documented ones counted by citation), which every other
// scenario shows too and which are left out of their verdicts.
func (r *report) printStanding(w io.Writer, verbose bool) {
	for _, res := range r.Scenarios {
		if res.Suite != harness.StandingSuite {
			continue
		}
		fmt.Fprintf(w, "\n%s: %s", res.Name, verdictWord(r.gate, res))
		if res.Reason != "" {
			fmt.Fprintf(w, ": %s", firstLine(res.Reason))
		}
		if len(res.Findings) == 0 {
			fmt.Fprintln(w, " (the stack with no op shows nothing)")
			continue
		}
		fmt.Fprintf(w, "; the stack with no op shows %d findings, left out of every scenario's verdict:\n", len(res.Findings))
		byID := map[string]int{}
		cite := map[string]string{}
		shown := 0
		for _, f := range res.Findings {
			if f.Expected() {
				byID[f.Expectation]++
				cite[f.Expectation] = f.ExpectedBy
				continue
			}
			if shown++; shown <= standingShown || verbose {
				fmt.Fprintf(w, "    %s\n", f)
			}
		}
		if shown > standingShown && !verbose {
			fmt.Fprintf(w, "    and %d more (-v lists them)\n", shown-standingShown)
		}
		ids := make([]string, 0, len(byID))
		for id := range byID {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			fmt.Fprintf(w, "    %d documented by %s: %s\n", byID[id], id, firstLine(cite[id]))
		}
	}
}

// printScenarios is the per-scenario listing of -v: every verdict and
// reason, the findings of the scenario's own ops, a count of the
// standing ones.
func (r *report) printScenarios(w io.Writer) {
	fmt.Fprintln(w)
	for _, res := range r.Scenarios {
		fmt.Fprintf(w, "%-5s %s", verdictWord(r.gate, res), res.Name)
		if res.Reason != "" {
			fmt.Fprintf(w, ": %s", firstLine(res.Reason))
		}
		if standing := standingCount(res); standing > 0 {
			fmt.Fprintf(w, " (+%d standing)", standing)
		}
		fmt.Fprintln(w)
		for _, f := range res.Findings {
			if !f.Standing {
				fmt.Fprintf(w, "      %s\n", f)
			}
		}
	}
}

// verdictWord is a result's verdict as the reports print it: upper case
// when it fails the gate, lower case otherwise (a fail the baseline holds
// is "fail", not "FAIL").
func verdictWord(g harness.Gate, res harness.Result) string {
	if g.Fails(res) {
		return strings.ToUpper(string(res.Verdict))
	}
	return string(res.Verdict)
}

// standingCount counts the findings of res its standing entry shows too.
func standingCount(res harness.Result) int {
	n := 0
	for _, f := range res.Findings {
		if f.Standing {
			n++
		}
	}
	return n
}
