package fuzz

import (
	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
	"github.com/layercheck/layercheck/harness/triage"
)

// A failure is filed under the signature (triage.Signature) of its primary
// finding, the one notion of "the same deviation" the suites' summaries and
// baselines use too.

// primary is the finding a failing result is filed under: the most severe
// unexpected one (security first), then the first by path.
func primary(res h.Result) (snapshot.Finding, bool) {
	un := res.Unexpected()
	if len(un) == 0 {
		return snapshot.Finding{}, false
	}
	rank := map[snapshot.Severity]int{}
	for i, s := range snapshot.Severities {
		rank[s] = i
	}
	best := un[0]
	for _, f := range un[1:] {
		if rank[f.Severity()] < rank[best.Severity()] {
			best = f
		}
	}
	return best, true
}

// shows reports whether res has an unexpected finding with signature sig.
func shows(res h.Result, sig string) bool {
	for _, f := range res.Unexpected() {
		if triage.Signature(f) == sig {
			return true
		}
	}
	return false
}
