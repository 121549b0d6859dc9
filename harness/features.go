package harness

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"golang.org/x/sys/unix"
)

// probeFeatures tries every optional feature on the merged view mounted at
// dir (a fresh upper over a base) and returns, for each, "" where it works
// and why not where it does not.
func probeFeatures(dir string) map[string]string {
	out := probeOpFeatures(dir) // features_ops.go
	out[scenario.FeatureRenameWhiteout] = probeRenameWhiteout(dir)
	probePermFeatures(dir, out) // features_perm.go
	return out
}

// probeRenameWhiteout renames a file made for the probe with RENAME_WHITEOUT.
func probeRenameWhiteout(dir string) string {
	src := filepath.Join(dir, ".layercheck-probe-rename-whiteout")
	if err := os.WriteFile(src, nil, 0o600); err != nil {
		return "the probe could not create its file: " + err.Error()
	}
	if err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, src+".moved", unix.RENAME_WHITEOUT); err != nil {
		return fmt.Sprintf("the backend refuses renameat2(RENAME_WHITEOUT) on its merged view (%s)", fsop.OutcomeOf(err))
	}
	return ""
}

// lacks says why cfg's backend cannot run s ("" if it can): a feature s
// requires that the probe found missing, or that was never probed.
func (cfg Config) lacks(s scenario.Scenario) string {
	// What the ops need (features_ops.go): skipped only where the probe
	// found it missing.
	for _, f := range opRequires(s) {
		if why := cfg.Features[f]; why != "" {
			return fmt.Sprintf("needs %s: %s", f, why)
		}
	}
	for _, f := range s.Requires {
		why, probed := cfg.Features[f]
		if !probed {
			return fmt.Sprintf("needs %s, which was not probed on this backend", f)
		}
		if why != "" {
			return fmt.Sprintf("needs %s: %s", f, why)
		}
	}
	return ""
}
