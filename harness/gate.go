package harness

// Gate is the one policy that decides whether a result fails a run. The
// command line's exit code, its summary, JUnit, the matrix, the Ginkgo
// specs, TestBackend and fuzz all ask it, so that they never disagree
// about what is red.
type Gate struct {
	// FailOnXPass also fails a scenario written to show a documented
	// deviation that did not show (the backend changed, or an option
	// removed it).
	FailOnXPass bool
}

// Fails reports whether r fails the run: the harness could not run it, or
// it found what no documentation explains (or, with FailOnXPass, a
// documented deviation did not show).
func (g Gate) Fails(r Result) bool {
	switch r.Verdict {
	case Error, Fail:
		return true
	case XPass:
		return g.FailOnXPass
	}
	return false
}
