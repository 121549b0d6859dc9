package harness

import (
	"sort"

	"github.com/layercheck/layercheck/harness/triage"
)

// Gate is the one policy that decides whether a result fails a run. The
// command line's exit code, its summary, JUnit, TAP, the matrix, the
// Ginkgo specs, TestBackend and fuzz all ask it, so that they never
// disagree about what is red.
//
// What never fails: an expected finding (documented, with its citation)
// and a standing one (the target's null scenario shows it too; the
// standing entry itself answers for it). A known issue is no excuse: it
// fails like any unexpected finding unless a baseline holds it.
type Gate struct {
	// FailOnXPass also fails a scenario written to show a documented
	// deviation that did not show (the backend changed, or an option
	// removed it).
	FailOnXPass bool
	// Baseline, when set, turns the question into "did anything get
	// worse": an unexpected finding fails only when its signature is not
	// in the baseline (a new deviation).
	Baseline *triage.Baseline
	// FailOnGone (with a Baseline) also fails a run where a deviation of
	// the baseline did not show (a fix landed; record a new baseline).
	FailOnGone bool
	// FailOnKernelEvent also fails a run in which the kernel logged a
	// problem that no scenario reproduced (KernelEvent; kernelevent.go).
	FailOnKernelEvent bool
}

// Fails reports whether r fails the run: the harness could not run it, it
// found what no documentation explains and the baseline (if any) does not
// hold, or (with FailOnXPass) a documented deviation did not show.
func (g Gate) Fails(r Result) bool {
	switch r.Verdict {
	case Error:
		return true
	case Fail:
		return len(g.New(r)) > 0
	case XPass:
		return g.FailOnXPass
	}
	return false
}

// New lists the signatures of r's unexpected findings that fail the gate:
// every one without a baseline, those the baseline lacks with one.
func (g Gate) New(r Result) []string {
	var out []string
	for sig := range signatures(r) {
		if g.Baseline == nil || !g.Baseline.Has(sig) {
			out = append(out, sig)
		}
	}
	sort.Strings(out)
	return out
}

// Judgement is what the gate says of a whole run.
type Judgement struct {
	Failing []Result    // the results that fail (Fails)
	New     []Deviation // deviations not in the baseline (all, without one)
	Present []Deviation // deviations the baseline holds
	Gone    []string    // signatures of the baseline this run did not show
	Fails   bool        // the run fails: a failing result, or (FailOnGone) a gone deviation
}

// Judge applies the gate to every result of a run.
func (g Gate) Judge(results []Result) Judgement {
	var j Judgement
	for _, r := range results {
		if g.Fails(r) {
			j.Failing = append(j.Failing, r)
		}
	}
	seen := map[string]bool{}
	for _, d := range Deviations(results) {
		seen[d.Signature] = true
		if g.Baseline != nil && g.Baseline.Has(d.Signature) {
			j.Present = append(j.Present, d)
		} else {
			j.New = append(j.New, d)
		}
	}
	if g.Baseline != nil {
		for _, sig := range g.Baseline.Sorted() {
			if !seen[sig] {
				j.Gone = append(j.Gone, sig)
			}
		}
	}
	j.Fails = len(j.Failing) > 0 || g.FailOnGone && len(j.Gone) > 0
	return j
}
