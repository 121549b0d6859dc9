package harness

import "path"

// Expectation is a deviation from the plain-copy model that the backend's
// own documentation calls intended, with the citation. A bug is never an
// expectation: what no documentation calls intended stays a failure.
type Expectation struct {
	ID       string
	Citation string
	// Match reports whether f is this deviation, given the evidence.
	Match func(f Finding, ev *Evidence) bool
}

// KnownIssue is a deviation of a backend that has been seen and is not
// documented as intended. It is a bug as far as layercheck is concerned:
// matching findings stay unexpected, fail their scenario and the run. The
// record only says "seen before" and why, so that a reader can tell a new
// bug from an old one.
type KnownIssue struct {
	ID      string
	Summary string // what is wrong, in a sentence
	Match   func(f Finding, ev *Evidence) bool
}

// ScenarioSkipper is implemented by backends whose documentation leaves
// some scenarios undefined under their options: such a scenario is skip,
// with the citation as its reason, since whatever it showed would prove
// nothing either way.
type ScenarioSkipper interface {
	SkipReason(s Scenario) string
}

// KnownIssuer is implemented by backends that record known issues.
type KnownIssuer interface {
	KnownIssues() []KnownIssue
}

// Evidence is what an expectation may look at to decide.
type Evidence struct {
	Ref, Merged *Snapshot // the snapshots the finding came from (nil for errno findings)
	// Op and SourceType describe the op of an errno finding: the op, and
	// the type of its first path on the reference before it ran.
	Op         Op
	SourceType string
	// Stack is the layers of the mount the op went through, its upper
	// first (nil for an op on a plain directory, such as layer 0).
	Stack []string
	// OfflineLower holds the paths that offline steps changed on a lower
	// layer; Upper is the runtime upper directory.
	OfflineLower map[string]bool
	Upper        string
	// Lowers are the scenario's read-only layers, the bottom one first.
	Lowers []string
	// LowerLinks holds, for each path that is hardlinked in a read-only
	// layer, its other names there; Named the paths the scenario's ops name.
	LowerLinks map[string][]string
	Named      map[string]bool
}

// UpperHasDir reports whether the runtime upper holds p as a directory: a
// copy-up of it, or one made there.
func (ev *Evidence) UpperHasDir(p string) bool {
	if ev.Upper == "" {
		return false
	}
	t, err := OpenTree(ev.Upper)
	if err != nil {
		return false
	}
	defer t.Close()
	return typeIn(t, p) == "dir"
}

// Verdicts, as in DESIGN.md.
const (
	Pass  = "pass"
	Fail  = "fail"
	XFail = "xfail"
	XPass = "xpass"
	Skip  = "skip"
	Error = "error"
)

// explain marks every finding that a documented deviation explains. An
// access finding on a path whose own mode or owner finding, or that of a
// directory above it, is expected follows from that deviation and carries
// its citation too (a masked mode refuses or grants what the mode says).
// Findings that stay unexpected are tagged with the known issue they match.
func explain(fs []Finding, exps []Expectation, known []KnownIssue, ev *Evidence) {
	for i := range fs {
		if fs[i].Expected() || fs[i].Kind == KindAccess {
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
	cause := map[string]Finding{}
	for _, f := range fs {
		if f.Expected() && (f.Kind == KindMode || f.Kind == KindOwner || f.Kind == KindLink) {
			cause[f.Path] = f
		}
	}
	for i := range fs {
		if fs[i].Kind != KindAccess || fs[i].Expected() {
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
func markKnown(fs []Finding, known []KnownIssue, ev *Evidence) {
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
func verdict(fs []Finding, expectIDs []string, applicable map[string]bool) (string, []string) {
	shown := map[string]bool{}
	unexpected := false
	for _, f := range fs {
		if f.Expected() {
			shown[f.Expectation] = true
		} else {
			unexpected = true
		}
	}
	if unexpected {
		return Fail, nil
	}
	var missing []string
	for _, id := range expectIDs {
		if applicable[id] && !shown[id] {
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
