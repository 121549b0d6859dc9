package fuzz

import "github.com/layercheck/layercheck/harness/scenario"

// lighter lists c with one check the generator turned on turned down
// (checks.go): no rebuild, noatime instead of strictatime, no times. A
// failure that does not need the check then shrinks to a scenario that
// runs faster and says less that does not matter.
func lighter(c Candidate) []Candidate {
	var out []Candidate
	if c.Scenario.Rebuild {
		n := c
		n.Scenario.Rebuild = false
		out = append(out, n)
	}
	switch c.Scenario.Times {
	case scenario.TimesStrictatime:
		n := c
		n.Scenario.Times = scenario.TimesNoatime
		out = append(out, n)
	case scenario.TimesNoatime:
		n := c
		n.Scenario.Times = ""
		out = append(out, n)
	}
	return out
}
