package fuzz

import (
	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
	"github.com/layercheck/layercheck/harness/triage"
)

// A failure is filed under the signature (triage.Signature) of each of
// its unexpected findings that the gate calls new, the one notion of "the
// same deviation" the suites' summaries and baselines use too. A scenario
// that shows two deviations counts for both: filing it under only its
// most severe one would hide the other behind it, on a backend where a
// deviation shows in most scenarios (and, with --baseline, a deviation
// the baseline holds hides nothing).

// file adds res to the failure of every signature it shows that g calls
// new (all of them without a baseline); the first scenario of each
// signature is the one shrunk.
func file(bySig map[string]*Failure, res h.Result, g h.Gate) {
	for _, sig := range g.New(res) {
		if prev, ok := bySig[sig]; ok {
			prev.Hits++
			continue
		}
		f, _ := findingOf(res, sig)
		bySig[sig] = &Failure{Signature: sig, Hits: 1, First: res, Known: f.KnownIssue}
	}
}

// findingOf is res's first unexpected finding with signature sig.
func findingOf(res h.Result, sig string) (snapshot.Finding, bool) {
	for _, f := range res.Unexpected() {
		if triage.Signature(f) == sig {
			return f, true
		}
	}
	return snapshot.Finding{}, false
}

// shows reports whether res has an unexpected finding with signature sig.
func shows(res h.Result, sig string) bool {
	_, ok := findingOf(res, sig)
	return ok
}
