package harness

import (
	"testing"

	"github.com/layercheck/layercheck/harness/snapshot"
)

func TestVerdict(t *testing.T) {
	exp := snapshot.Finding{Kind: snapshot.KindMode, ExpectedBy: "doc", Expectation: "e"}
	bad := snapshot.Finding{Kind: snapshot.KindMode}
	app := map[string]bool{"e": true, "f": true}
	standingBad, standingExp := bad, exp
	standingBad.Standing, standingExp.Standing = true, true
	for _, c := range []struct {
		fs     []snapshot.Finding
		expect []string
		want   Verdict
	}{
		{nil, nil, Pass},
		{[]snapshot.Finding{exp}, nil, XFail},
		{[]snapshot.Finding{exp, bad}, nil, Fail},
		{nil, []string{"e"}, XPass},
		{nil, []string{"not-applicable"}, Pass},
		{[]snapshot.Finding{exp}, []string{"e", "f"}, XPass},
		// Standing findings are the target's: they neither fail nor
		// xfail a scenario, but a declared deviation among them showed.
		{[]snapshot.Finding{standingBad}, nil, Pass},
		{[]snapshot.Finding{standingBad, bad}, nil, Fail},
		{[]snapshot.Finding{standingExp}, nil, Pass},
		{[]snapshot.Finding{standingExp}, []string{"e"}, Pass},
	} {
		if got, _ := verdict(c.fs, c.expect, app); got != c.want {
			t.Errorf("verdict(%v, %v) = %s, want %s", c.fs, c.expect, got, c.want)
		}
	}
}
