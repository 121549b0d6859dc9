package fuzz

import "github.com/layercheck/layercheck/harness/scenario"

// turnDowns turn one check the generator turned on (checks.go) down: no
// rebuild; noatime instead of strictatime, then no times. A failure that
// does not need the check then shrinks to a scenario that runs faster and
// says less that does not matter. Each returns false where it has nothing
// to turn down.
var turnDowns = []func(*scenario.Scenario) bool{
	func(s *scenario.Scenario) bool { was := s.Rebuild; s.Rebuild = false; return was },
	func(s *scenario.Scenario) bool {
		switch s.Times {
		case scenario.TimesStrictatime:
			s.Times = scenario.TimesNoatime
		case scenario.TimesNoatime:
			s.Times = ""
		default:
			return false
		}
		return true
	},
}

// lighter lists the candidates one turn-down of c makes.
func lighter(c Candidate) []Candidate {
	var out []Candidate
	for _, down := range turnDowns {
		n := c
		if down(&n.Scenario) {
			out = append(out, n)
		}
	}
	return out
}

// lighten tries each turn-down on the current candidate (cur: what the
// tries taken so far left) and reports whether one was taken.
func lighten(cur func() Candidate, try func(Candidate) bool) bool {
	took := false
	for _, down := range turnDowns {
		n := cur()
		if down(&n.Scenario) && try(n) {
			took = true
		}
	}
	return took
}
