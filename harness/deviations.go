package harness

import (
	"sort"

	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"github.com/layercheck/layercheck/harness/triage"
)

// Deviation is one distinct unexpected deviation of a run: every failing
// finding with the same signature (triage.Signature), however many
// scenarios and paths show it, and the smallest scenario that shows it.
type Deviation struct {
	Signature  string            `json:"signature"`
	Kind       snapshot.Kind     `json:"kind"`
	Severity   snapshot.Severity `json:"severity"`
	KnownIssue string            `json:"known_issue,omitempty"`
	Scenarios  int               `json:"scenarios"` // how many show it
	// Smallest is the scenario that shows it with the fewest ops, then
	// the lowest placement; Finding is its finding, Repro its reproducer
	// (when one was written).
	Smallest string           `json:"smallest"`
	Ops      int              `json:"ops"`
	Finding  snapshot.Finding `json:"finding"`
	Repro    string           `json:"repro,omitempty"`
	smallest string           // placementKey of Smallest
}

// Deviations groups the unexpected, non-standing findings of the failing
// results by signature, most severe first, then most widespread.
func Deviations(results []Result) []Deviation {
	by := map[string]*Deviation{}
	for _, r := range results {
		if r.Verdict != Fail {
			continue
		}
		for sig, f := range signatures(r) {
			d := by[sig]
			if d == nil {
				d = &Deviation{Signature: sig, Kind: f.Kind, Severity: f.Severity(), KnownIssue: f.KnownIssue, Ops: -1}
				by[sig] = d
			}
			d.Scenarios++
			if d.Ops < 0 || smaller(r, d) {
				d.Smallest, d.Ops, d.Finding, d.Repro, d.smallest = r.Name, len(r.Ops), f, r.Repro, placementKey(r)
			}
		}
	}
	out := make([]Deviation, 0, len(by))
	for _, d := range by {
		out = append(out, *d)
	}
	rank := map[snapshot.Severity]int{}
	for i, s := range snapshot.Severities {
		rank[s] = i
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.Scenarios != b.Scenarios {
			return a.Scenarios > b.Scenarios
		}
		return a.Signature < b.Signature
	})
	return out
}

// signatures maps each signature among r's unexpected findings to the
// first finding that has it.
func signatures(r Result) map[string]snapshot.Finding {
	out := map[string]snapshot.Finding{}
	for _, f := range r.Unexpected() {
		sig := triage.Signature(f)
		if _, ok := out[sig]; !ok {
			out[sig] = f
		}
	}
	return out
}

// smaller reports whether r is a smaller example than d's: fewer ops,
// then lower layers, then the name (so that the choice does not depend on
// the order results come in).
func smaller(r Result, d *Deviation) bool {
	if len(r.Ops) != d.Ops {
		return len(r.Ops) < d.Ops
	}
	return placementKey(r) < d.smallest
}

// placementKey orders results of as many ops by where their ops went:
// the sum of the layers their steps name, then the name.
func placementKey(r Result) string {
	sum := 0
	for _, st := range r.Scenario.Steps {
		if st.Phase != scenario.PhaseRuntime && st.Layer > 0 {
			sum += st.Layer
		}
	}
	return string(rune('0'+min(sum, 70))) + r.Name
}
