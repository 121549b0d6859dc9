package main

import (
	"fmt"
	"sort"

	"github.com/layercheck/layercheck/harness"
)

// Nothing ran is not a pass: a run (a shard, a matrix cell) in which no
// scenario ran, all of them skipped, or in which the standing scenario
// skipped (then no scenario's findings can be told from the stack's own)
// tested nothing, and a CI job gated on exit 0 would be green on it. Such
// a run exits exitNothingRan with one line that says why; a run where
// most scenarios skipped says so on its last line and exits as usual.

// exitNothingRan is the exit code of a run that tested nothing.
const exitNothingRan = 4

// nothingRan says, in one line, why results tested nothing, or "".
func nothingRan(results []harness.Result) string {
	ran, skipped := 0, 0
	for _, r := range results {
		if r.Suite == harness.StandingSuite {
			if r.Verdict == harness.Skip {
				return fmt.Sprintf("nothing ran: the standing scenario %s skipped (%s)", r.Name, firstLine(r.Reason))
			}
			continue
		}
		if r.Verdict == harness.Skip {
			skipped++
		} else {
			ran++
		}
	}
	if ran > 0 {
		return ""
	}
	if skipped == 0 {
		return "nothing ran: no scenario was selected"
	}
	return fmt.Sprintf("nothing ran: all %d scenarios skipped; the most common reason: %s", skipped, commonSkip(results))
}

// mostlySkipped says, in one line, that most scenarios skipped, or "".
func mostlySkipped(results []harness.Result) string {
	n, skipped := 0, 0
	for _, r := range results {
		if r.Suite == harness.StandingSuite {
			continue
		}
		n++
		if r.Verdict == harness.Skip {
			skipped++
		}
	}
	if n == 0 || 2*skipped <= n {
		return ""
	}
	return fmt.Sprintf("Most scenarios skipped: %d of %d did not run (the most common reason: %s)", skipped, n, commonSkip(results))
}

// commonSkip is the skip reason most scenarios gave.
func commonSkip(results []harness.Result) string {
	count := map[string]int{}
	for _, r := range results {
		if r.Verdict == harness.Skip && r.Suite != harness.StandingSuite {
			count[firstLine(r.Reason)]++
		}
	}
	reasons := make([]string, 0, len(count))
	for k := range count {
		reasons = append(reasons, k)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if count[reasons[i]] != count[reasons[j]] {
			return count[reasons[i]] > count[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	if len(reasons) == 0 {
		return "none given"
	}
	return fmt.Sprintf("%q (%d)", reasons[0], count[reasons[0]])
}

// resultList is the target's results, for nothingRan.
func (t *matrixTarget) resultList() []harness.Result {
	out := make([]harness.Result, 0, len(t.Results))
	for _, r := range t.Results {
		out = append(out, r)
	}
	return out
}
