package harness

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Optional features a backend may lack on its merged view. A scenario
// lists those it needs in Scenario.Requires; the session tries each once on
// a live mount of the backend (see probeFeatures), and a scenario whose
// backend lacks one ends as skip with the reason: its result would say
// nothing about the layers, only that the feature is absent.
const (
	// FeatureRenameWhiteout is renameat2(2) with RENAME_WHITEOUT, as root,
	// on the merged view. The plain reference (tmpfs, ext4, xfs) supports
	// it and leaves a 0/0 character device at the old name.
	FeatureRenameWhiteout = "rename-whiteout"
)

// probeFeatures tries every optional feature on the merged view mounted at
// dir (a fresh upper over a base) and returns, for each, "" where it works
// and why not where it does not.
func probeFeatures(dir string) map[string]string {
	out := probeOpFeatures(dir) // features_ops.go
	out[FeatureRenameWhiteout] = probeRenameWhiteout(dir)
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
		return fmt.Sprintf("the backend refuses renameat2(RENAME_WHITEOUT) on its merged view (%s)", outcomeOf(err))
	}
	return ""
}

// lacks says why cfg's backend cannot run s ("" if it can): a feature s
// requires that the probe found missing, or that was never probed.
func (cfg Config) lacks(s Scenario) string {
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
