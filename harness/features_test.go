package harness

import (
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"golang.org/x/sys/unix"
)

// TestRequiresSkips: a scenario that needs a feature the probe found
// missing, or never probed, is skipped with the reason; an op whose flags
// the VFS refuses before any backend sees them needs nothing.
func TestRequiresSkips(t *testing.T) {
	s := scenario.Scenario{Name: "x", Requires: []string{scenario.FeatureRenameWhiteout}}
	if why := (Config{}).lacks(s); why == "" {
		t.Error("an unprobed feature did not skip")
	}
	cfg := Config{Features: map[string]string{scenario.FeatureRenameWhiteout: "refused (EINVAL)"}}
	if why := cfg.lacks(s); why == "" {
		t.Error("a missing feature did not skip")
	}
	cfg.Features[scenario.FeatureRenameWhiteout] = ""
	if why := cfg.lacks(s); why != "" {
		t.Errorf("a present feature skipped: %s", why)
	}
	cfg.Features[scenario.FeatureRenameWhiteout] = "refused (EINVAL)"
	combo := scenario.Scenario{Name: "y", Steps: []scenario.Step{scenario.Runtime(fsop.Rename{From: "a", To: "b", Flags: unix.RENAME_EXCHANGE | unix.RENAME_WHITEOUT})}}
	if why := cfg.lacks(combo); why != "" {
		t.Errorf("an op the VFS refuses (EINVAL everywhere) skipped: %s", why)
	}
	plain := scenario.Scenario{Name: "z", Steps: []scenario.Step{scenario.Runtime(fsop.Rename{From: "a", To: "b", Flags: unix.RENAME_WHITEOUT})}}
	if why := cfg.lacks(plain); why == "" {
		t.Error("a RENAME_WHITEOUT op did not need the feature")
	}
}
