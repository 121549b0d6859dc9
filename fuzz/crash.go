package fuzz

import (
	"context"
	"strings"

	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// A crash (snapshot.KindCrash) shows one time in N: shrinking it with one
// run per candidate would throw away every step that happened not to
// crash that time and end with a scenario that does not reproduce. So a
// crash is first rerun until it shows again, which measures the tries it
// needs, and every candidate then gets that many tries, twice over.

// MaxCrashTries bounds the runs spent measuring, and so the tries of each
// candidate.
const MaxCrashTries = 20

// isCrash reports whether a signature is a crash's.
func isCrash(sig string) bool { return strings.HasPrefix(sig, string(snapshot.KindCrash)+" ") }

// crashTries is how many runs of c it took to show sig once more (1 when
// sig is no crash: one run is enough), MaxCrashTries when it never did.
func crashTries(ctx context.Context, run func(Candidate) h.Result, c Candidate, sig string) int {
	if !isCrash(sig) {
		return 1
	}
	for i := 1; i <= MaxCrashTries; i++ {
		if ctx.Err() != nil || shows(run(c), sig) {
			return i
		}
	}
	return MaxCrashTries
}

// showsWithin reports whether c shows sig in at most tries runs.
func showsWithin(ctx context.Context, run func(Candidate) h.Result, c Candidate, sig string, tries int) bool {
	for range tries {
		if ctx.Err() != nil {
			return false
		}
		if shows(run(c), sig) {
			return true
		}
	}
	return false
}

// crashRepeats records, on the result a reproducer is written from, the
// tries the crash needed here, so that the script loops as long.
func crashRepeats(f *Failure) *h.Repeats {
	if !isCrash(f.Signature) {
		return nil
	}
	return &h.Repeats{Runs: f.Tries, Verdicts: map[h.Verdict]int{h.Fail: 1, h.Pass: f.Tries - 1}, Flaky: f.Tries > 1, FirstFail: f.Tries}
}
