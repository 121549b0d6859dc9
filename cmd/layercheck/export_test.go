package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportKeptUpperListsItsWhiteouts: the layer built by a kept
// scenario that deletes etc/hostname, exported as a tar, is what tar(1)
// lists: the whiteout as etc/.wh.hostname; and --explain lists what the
// upper shadows.
func TestExportKeptUpperListsItsWhiteouts(t *testing.T) {
	RequireRoot(t)
	scratch, out := t.TempDir(), filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := layercheck(t, "--depth", "2", "--focus", "^whiteout/delete-file-in-layer/layer=1$", "--keep",
		"--json", out, "--scratch", scratch, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var r struct {
		Scenarios []struct{ Name, Dir string } `json:"scenarios"`
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	dir := ""
	if err := json.Unmarshal(b, &r); err == nil {
		for _, s := range r.Scenarios { // the standing entry comes first
			if s.Name == "whiteout/delete-file-in-layer/layer=1" {
				dir = s.Dir
			}
		}
	}
	if dir == "" {
		t.Fatalf("no kept scenario in %s: %v", b, err)
	}
	base := filepath.Join(dir, "..", "..", "bases", "rootfs")
	tarFile := filepath.Join(t.TempDir(), "layer.tar")
	code, _, stderr = layercheck(t, "export", "--lower", base, "--upper", filepath.Join(dir, "l1"), "-o", tarFile)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	list, err := exec.Command("tar", "-tvf", tarFile).CombinedOutput()
	if err != nil {
		t.Fatalf("tar -tvf: %v\n%s", err, list)
	}
	if !strings.Contains(string(list), "etc/.wh.hostname") || !strings.Contains(string(list), "etc/\n") {
		t.Errorf("tar -tvf lists no whiteout of etc/hostname:\n%s", list)
	}
	code, stdout, stderr = layercheck(t, "export", "--lower", base, "--upper", filepath.Join(dir, "l1"), "--explain", "-o", os.DevNull)
	if code != 0 || !strings.Contains(stderr, "etc: ") && !strings.Contains(stderr, "no upper entry shadows") {
		t.Errorf("export --explain: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = layercheck(t, "export", "--upper", filepath.Join(dir, "nonexistent"))
	if code != exitUsage || !strings.Contains(stderr, "--upper") {
		t.Errorf("export of a missing upper: exit %d: %s", code, stderr)
	}
}
