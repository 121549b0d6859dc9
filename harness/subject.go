package harness

import "github.com/layercheck/layercheck/harness/scenario"

// subjectClash says why s skips on a user's tree laid under the fixture
// (scenario.Base.SubjectClash), "" if it runs.
func (cfg Config) subjectClash(s scenario.Scenario) string {
	if b := cfg.Bases[s.FixtureName()]; b != nil && b.Sealed() != nil {
		return b.SubjectClash(s)
	}
	return ""
}
