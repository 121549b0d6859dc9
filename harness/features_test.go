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

// TestTmpfileNeedsTheFeature: an O_TMPFILE open, by its own op or by open
// with the flag, skips where the probe found the backend refusing it (the
// FUSE backends; overlayfs before 6.6), and the probe itself answers from
// a real open(2): it works in a plain directory and names the errno where
// it cannot.
func TestTmpfileNeedsTheFeature(t *testing.T) {
	cfg := Config{Features: map[string]string{scenario.FeatureTmpfile: "refused (EOPNOTSUPP)"}}
	for _, op := range []fsop.Op{fsop.OpenTmpfile{Dir: "d", Flags: unix.O_RDWR, Mode: 0o600, FD: "t"}, fsop.Open{Path: "d", Flags: unix.O_TMPFILE | unix.O_WRONLY, Mode: 0o600, FD: "t"}} {
		s := scenario.Scenario{Name: "t", Steps: []scenario.Step{scenario.Runtime(op)}}
		if why := cfg.lacks(s); why == "" {
			t.Errorf("%s: did not need the tmpfile feature", op.Kind())
		}
	}
	plainOpen := scenario.Scenario{Name: "o", Steps: []scenario.Step{scenario.Runtime(fsop.Open{Path: "f", Flags: unix.O_RDONLY, FD: "t"})}}
	if why := cfg.lacks(plainOpen); why != "" {
		t.Errorf("a plain open needed the feature: %s", why)
	}
	dir := t.TempDir()
	if why := probeTmpfile(dir); why != "" {
		t.Fatalf("probe in a plain directory: %s", why)
	}
	if why := probeTmpfile(dir + "/missing"); why == "" {
		t.Error("probe of a missing directory reported the feature present")
	}
}
