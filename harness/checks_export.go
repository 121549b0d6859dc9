package harness

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/scenario"
)

// What a caller that makes its own scenarios (fuzz) asks of a Config to
// know which checks its scenarios can get.

// Lacks says why cfg's backend cannot run s ("" if it can): the feature
// probe's answer, which RunScenario turns into a skip. Fuzz asks it of
// each op it generates, to leave out what would only skip a scenario.
func (cfg Config) Lacks(s scenario.Scenario) string { return cfg.lacks(s) }

// ChecksOff says, for each check that cfg leaves off whatever a scenario
// carries, why: "times" (Scenario.Times skips), "commit" (the commit
// check does not run), "rebuild" (Scenario.Rebuild does nothing).
func (cfg Config) ChecksOff() map[string]string {
	out := map[string]string{}
	if why := cfg.timesSkip(scenario.Scenario{Times: scenario.TimesNoatime}); why != "" {
		out["times"] = why
	}
	if _, _, ok := cfg.commitFormats(); !ok {
		out["commit"] = "turned off (--commit-check=false), or the on-disk format of the layers or the upper is not known"
	}
	if c, ok := cfg.Backend.(backend.CopyRefuser); ok && c.RefusesCopiedLayers() != "" {
		out["rebuild"] = c.RefusesCopiedLayers()
	}
	return out
}
