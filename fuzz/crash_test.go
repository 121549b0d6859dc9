package fuzz

import (
	"context"
	"testing"

	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestCrashTriesMeasureAndShrink: a crash that shows every third run
// needs 3 tries to show again, a candidate given that many shows it, one
// given a single try may not; a non-crash needs one.
func TestCrashTriesMeasureAndShrink(t *testing.T) {
	n := 0
	run := func(Candidate) h.Result {
		n++
		if n%3 != 0 {
			return h.Result{Verdict: h.Pass}
		}
		return h.Result{Verdict: h.Fail, Findings: []snapshot.Finding{{Kind: snapshot.KindCrash, Field: "signal"}}}
	}
	sig := "crash signal"
	if got := crashTries(context.Background(), run, Candidate{}, sig); got != 3 {
		t.Errorf("crashTries = %d, want 3", got)
	}
	n = 0
	if showsWithin(context.Background(), run, Candidate{}, sig, 1) {
		t.Error("one try showed a crash of every third run")
	}
	n = 0
	if !showsWithin(context.Background(), run, Candidate{}, sig, 3) {
		t.Error("three tries did not show a crash of every third run")
	}
	if got := crashTries(context.Background(), run, Candidate{}, "mode mode"); got != 1 {
		t.Errorf("a non-crash needs %d tries", got)
	}
}
