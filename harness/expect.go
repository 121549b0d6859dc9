package harness

import (
	"path"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Verdict is what one scenario instance came to.
type Verdict string

// Verdicts. Pass: no finding. XFail: every finding is a deviation the
// backend documents. Fail: a finding nothing documents. XPass: a
// deviation the scenario was written to show, which applies to this
// backend, did not show. Skip: the scenario cannot run here (the reason
// says why). Error: the harness could not run it.
const (
	Pass  Verdict = "pass"
	Fail  Verdict = "fail"
	XFail Verdict = "xfail"
	XPass Verdict = "xpass"
	Skip  Verdict = "skip"
	Error Verdict = "error"
)

// explain marks every finding that a documented deviation explains. An
// access finding on a path whose own mode or owner finding, or that of a
// directory above it, is expected follows from that deviation and carries
// its citation too (a masked mode refuses or grants what the mode says).
// Findings that stay unexpected are tagged with the known issue they match.
func explain(fs []snapshot.Finding, exps []backend.Expectation, known []backend.KnownIssue, ev *backend.Evidence) {
	for i := range fs {
		if fs[i].Expected() || fs[i].Kind == snapshot.KindAccess {
			continue
		}
		for _, e := range exps {
			if e.Match(fs[i], ev) {
				fs[i].ExpectedBy, fs[i].Expectation = e.Citation, e.ID
				break
			}
		}
	}
	markKnown(fs, known, ev)
	cause := map[string]snapshot.Finding{}
	for _, f := range fs {
		if f.Expected() && (f.Kind == snapshot.KindMode || f.Kind == snapshot.KindOwner || f.Kind == snapshot.KindLink) {
			cause[f.Path] = f
		}
	}
	for i := range fs {
		if fs[i].Kind != snapshot.KindAccess || fs[i].Expected() {
			continue
		}
		for p := fs[i].Path; ; p = path.Dir(p) {
			if c, ok := cause[p]; ok {
				fs[i].ExpectedBy = c.ExpectedBy + " (follows from the " + c.Field + " of " + c.Path + ")"
				fs[i].Expectation = c.Expectation
				break
			}
			if p == "." {
				break
			}
		}
	}
}

// markKnown tags unexpected findings with the known issue they match.
func markKnown(fs []snapshot.Finding, known []backend.KnownIssue, ev *backend.Evidence) {
	for i := range fs {
		if fs[i].Expected() || fs[i].KnownIssue != "" {
			continue
		}
		for _, k := range known {
			if k.Match(fs[i], ev) {
				fs[i].KnownIssue = k.ID
				break
			}
		}
	}
}

// verdict turns findings into the scenario's verdict. expectIDs are the
// deviations the scenario declares; applicable are the IDs the backend has.
func verdict(fs []snapshot.Finding, expectIDs []string, applicable map[string]bool) (Verdict, []string) {
	// Standing findings (standing.go) are the target's, not the
	// scenario's: they neither fail nor xfail it, but a declared
	// deviation that shows among them did show.
	shown, standing := map[string]bool{}, map[string]bool{}
	unexpected := false
	for _, f := range fs {
		switch {
		case f.Standing:
			standing[f.Expectation] = true
		case f.Expected():
			shown[f.Expectation] = true
		default:
			unexpected = true
		}
	}
	if unexpected {
		return Fail, nil
	}
	var missing []string
	for _, id := range expectIDs {
		if applicable[id] && !shown[id] && !standing[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return XPass, missing
	}
	if len(shown) > 0 {
		return XFail, nil
	}
	return Pass, nil
}
