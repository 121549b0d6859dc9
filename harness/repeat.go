package harness

import (
	"context"
	"fmt"
	"strings"
)

// Repeats says how a scenario fared over several runs of it
// (Config.Repeat): a crash or a race shows one time in N, and a verdict
// that differs between runs is flaky, which the summary says with the
// counts instead of hiding it behind whichever run came last.
type Repeats struct {
	Runs     int             `json:"runs"`
	Verdicts map[Verdict]int `json:"verdicts"`
	// Flaky is true when the runs did not all come to the same verdict.
	Flaky bool `json:"flaky,omitempty"`
	// FirstFail is the run (1 for the first) on which the result failed
	// first, 0 if it never did: how many tries it took here.
	FirstFail int `json:"first_fail,omitempty"`
}

// String says the counts: "flaky: 2 fail, 3 pass of 5 runs".
func (r *Repeats) String() string {
	var parts []string
	for _, v := range verdictRank {
		if n := r.Verdicts[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	s := fmt.Sprintf("%s of %d runs", strings.Join(parts, ", "), r.Runs)
	if r.Flaky {
		s = "flaky: " + s
	}
	return s
}

// Failures is how many runs failed the gate.
func (r *Repeats) Failures() int { return r.Verdicts[Fail] + r.Verdicts[Error] }

// verdictRank orders verdicts by what a repeated result shows: a finding
// of the backend before an error of the harness, before the rest.
var verdictRank = []Verdict{Fail, Error, XPass, XFail, Pass, Skip}

// runRepeated runs s cfg.Repeat times (at least once) and returns the
// result of the first run that came to the most telling verdict, with the
// counts of all of them. A skip is not repeated: it does not depend on
// the run. It stops early when the context ends.
func runRepeated(ctx context.Context, cfg Config, run func() Result) Result {
	n := max(cfg.Repeat, 1)
	first := run()
	if n == 1 || first.Verdict == Skip {
		return first
	}
	rep := &Repeats{Verdicts: map[Verdict]int{}}
	byVerdict := map[Verdict]Result{}
	var seconds float64
	for i := 1; i <= n; i++ {
		res := first
		if i > 1 {
			if ctx.Err() != nil {
				break
			}
			res = run()
		}
		rep.Runs++
		rep.Verdicts[res.Verdict]++
		seconds += res.Seconds
		if _, ok := byVerdict[res.Verdict]; !ok {
			byVerdict[res.Verdict] = res
		}
		if rep.FirstFail == 0 && (res.Verdict == Fail || res.Verdict == Error) {
			rep.FirstFail = i
		}
	}
	rep.Flaky = len(rep.Verdicts) > 1
	var out Result
	for _, v := range verdictRank {
		if res, ok := byVerdict[v]; ok {
			out = res
			break
		}
	}
	out.Repeats, out.Seconds = rep, seconds
	if rep.Flaky {
		out.Reason = strings.TrimSpace(rep.String() + "; " + out.Reason)
		out.Reason = strings.TrimSuffix(out.Reason, ";")
	}
	return out
}
