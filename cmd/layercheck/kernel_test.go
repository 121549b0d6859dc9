package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/kernfeat"
)

// fallbackFocus is a few permissions scenarios that chmod (fchmodat2),
// set and remove user xattrs (setxattrat, removexattrat, user xattrs on
// the scratch) through a mount (lowerdir+), as root and as a user.
const fallbackFocus = "^permissions/(chmod-file-in-layer/layer=1|non-owner-chmod-refused|owner-chmods-own-lower-file/runtime|user-xattr-of-layer-0-removed/.*|xattr-in-layer-kept-through-copy-up/layer=1)$"

type kernelRun struct {
	Target struct {
		FS            string          `json:"fs"`
		KernelMissing []kernelFeature `json:"kernel_missing"`
	} `json:"target"`
	Scenarios []struct{ Name, Verdict string } `json:"scenarios"`
}

// runFocus runs the fallback scenarios and reads the JSON report.
func runFocus(t *testing.T) (kernelRun, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := layercheck(t, "--depth", "2", "--suite", "permissions", "--focus", fallbackFocus,
		"--json", out, "--scratch", t.TempDir(), "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var r kernelRun
	b, err := os.ReadFile(out)
	if err == nil {
		err = json.Unmarshal(b, &r)
	}
	if err != nil {
		t.Fatal(err)
	}
	return r, stdout
}

// TestFallbacksGiveSameVerdicts: with every kernel feature pretended
// missing, the run takes every fallback (ext4 scratch, legacy lowerdir=,
// chmod and l*xattr through /proc/self/fd), says so on the target line and
// in the JSON, and its scenarios end as they do with the new calls.
func TestFallbacksGiveSameVerdicts(t *testing.T) {
	RequireRoot(t)
	modern, _ := runFocus(t)
	t.Setenv(kernfeat.EnvPretend, "all")
	old, stdout := runFocus(t)
	if len(modern.Scenarios) < 6 {
		t.Fatalf("%d scenarios ran, want the focus's 6 and more", len(modern.Scenarios))
	}
	verdict := map[string]string{}
	for _, s := range modern.Scenarios {
		verdict[s.Name] = s.Verdict
	}
	for _, s := range old.Scenarios {
		if verdict[s.Name] != s.Verdict {
			t.Errorf("%s: %s with the fallbacks, %s with the new calls", s.Name, s.Verdict, verdict[s.Name])
		}
	}
	if len(old.Scenarios) != len(modern.Scenarios) {
		t.Errorf("%d scenarios with the fallbacks, %d without", len(old.Scenarios), len(modern.Scenarios))
	}
	if old.Target.FS != "ext4" {
		t.Errorf("scratch on %s with tmpfs user xattrs pretended missing, want ext4", old.Target.FS)
	}
	if len(old.Target.KernelMissing) != len(kernfeat.Features) || !old.Target.KernelMissing[0].Pretended {
		t.Errorf("kernel_missing %+v, want every feature, pretended", old.Target.KernelMissing)
	}
	if !strings.Contains(stdout, "kernel lacks fchmodat2 (Linux 6.6, pretended") {
		t.Errorf("the target line does not say what is missing:\n%s", stdout)
	}
}

// TestBadPretendExitsTwo: a feature name the probes do not know is bad
// input.
func TestBadPretendExitsTwo(t *testing.T) {
	RequireRoot(t)
	t.Setenv(kernfeat.EnvPretend, "fchmodat3")
	code, _, stderr := layercheck(t, "--depth", "1", "--suite", "permissions", "--scratch", t.TempDir())
	if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") > 0 || !strings.Contains(stderr, `"fchmodat3"`) {
		t.Errorf("exit %d, stderr %q; want 2 and one line naming the feature", code, stderr)
	}
}

// TestOldKernelExitsThree: a kernel older than 5.15 (pretended: its probe
// says so) gets one line naming the floor and exit 3, before any mount.
func TestOldKernelExitsThree(t *testing.T) {
	RequireRoot(t)
	t.Setenv(kernfeat.EnvPretend, kernfeat.Floor)
	scratch := t.TempDir()
	code, _, stderr := layercheck(t, "--depth", "1", "--suite", "permissions", "--scratch", scratch)
	if code != 3 || strings.Count(strings.TrimSpace(stderr), "\n") > 0 || !strings.Contains(stderr, "older than Linux 5.15") {
		t.Errorf("exit %d, stderr %q; want 3 and one line naming 5.15", code, stderr)
	}
	if ents, _ := os.ReadDir(scratch); len(ents) > 0 {
		t.Errorf("left in the scratch: %v", ents)
	}
}
