package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rootlessScratch is a scratch base that the namespace's root, an
// unprivileged host user, can reach (t.TempDir's parents are 0700).
func rootlessScratch(t *testing.T) string {
	t.Helper()
	RequireRoot(t)
	scratch, err := os.MkdirTemp("", "layercheck-rootless-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	os.Chmod(scratch, 0o755)
	return scratch
}

// TestRootlessRerunCommandWorks: a failing --rootless run prints a rerun
// command whose results file is on the host after the run, and running
// that command (as printed) reruns exactly the failure; its reproducers
// land in --repro-dir; the failure is tagged with the known issue read
// from the user.overlay.* mark userxattr writes.
func TestRootlessRerunCommandWorks(t *testing.T) {
	scratch := rootlessScratch(t)
	repros := filepath.Join(scratch, "repros")
	code, stdout, stderr := layercheck(t, "--rootless", "--depth", "3", "--scratch", scratch, "--quiet",
		"--focus", "rename-upper-dir-over-non-empty-upper-dir$", "--repro-dir", repros)
	if code != exitFindings || !strings.Contains(stdout, "known issue overlay/failed-rename-leaves-opaque") {
		t.Fatalf("rootless run: exit %d; want 1 with the known issue tagged\n%s%s", code, stdout, stderr)
	}
	var rerun string
	for _, l := range strings.Split(stdout, "\n") {
		if c, ok := strings.CutPrefix(l, "Rerun only the failures: "); ok {
			rerun = c
		}
	}
	if !strings.Contains(rerun, filepath.Join(scratch, "last-run.json")) {
		t.Fatalf("rerun command %q does not name %s/last-run.json\n%s", rerun, scratch, stdout)
	}
	if ents, _ := filepath.Glob(filepath.Join(repros, "*.sh")); len(ents) != 1 {
		t.Errorf("reproducers in %s: %v; want one", repros, ents)
	}
	args := strings.Fields(strings.TrimPrefix(rerun, "layercheck "))
	cmd := exec.Command(binary, args...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFindings ||
		!strings.Contains(string(out), "2 scenarios: 1 pass, 1 fail") { // the standing entry and the failure
		t.Fatalf("the printed rerun command: %v\n%s", err, out)
	}
	assertNothingLeft(t, scratch)
}
