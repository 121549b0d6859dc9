package harness

import "github.com/layercheck/layercheck/harness/scenario"

// SkipReason says why s cannot run on cfg ("" if it can), as RunScenario
// decides before it runs anything: fuzz's batching (fuzz/batch.go) asks it
// of each generated scenario, so that one that would skip alone runs
// alone instead of inside a batch whose verdict would not be its own.
func (cfg Config) SkipReason(s scenario.Scenario) string { return cfg.skipReason(s) }
