package harness

import (
	"context"
	"strings"
	"testing"
)

// TestRepeatedVerdictsAreCounted: runs that disagree make the result
// flaky, with the counts, the first failing run, and the failing run's
// own result; runs that agree are not flaky; a skip is not repeated.
func TestRepeatedVerdictsAreCounted(t *testing.T) {
	seq := func(vs ...Verdict) (func() Result, *int) {
		n := 0
		return func() Result {
			v := vs[n%len(vs)]
			n++
			return Result{Name: "s", Verdict: v, Reason: string(v) + " reason"}
		}, &n
	}
	run, calls := seq(Pass, Fail, Pass, Pass)
	res := runRepeated(context.Background(), Config{Repeat: 4}, run)
	if *calls != 4 || res.Verdict != Fail || res.Repeats == nil || !res.Repeats.Flaky ||
		res.Repeats.Verdicts[Pass] != 3 || res.Repeats.Verdicts[Fail] != 1 || res.Repeats.FirstFail != 2 {
		t.Fatalf("pass, fail, pass, pass: %d runs, %+v %+v", *calls, res, res.Repeats)
	}
	if got := res.Repeats.String(); got != "flaky: 1 fail, 3 pass of 4 runs" || !strings.HasPrefix(res.Reason, got) {
		t.Errorf("text %q, reason %q", got, res.Reason)
	}
	run, _ = seq(XFail)
	if res := runRepeated(context.Background(), Config{Repeat: 3}, run); res.Repeats.Flaky || res.Repeats.Runs != 3 || res.Verdict != XFail {
		t.Errorf("three xfails: %+v", res.Repeats)
	}
	run, calls = seq(Skip)
	if res := runRepeated(context.Background(), Config{Repeat: 3}, run); *calls != 1 || res.Repeats != nil {
		t.Errorf("a skip ran %d times", *calls)
	}
}
