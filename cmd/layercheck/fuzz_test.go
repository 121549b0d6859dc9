package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestFuzzFindsShrinksAndReplays: a short fuzz run is deterministic in
// what it reports, every distinct failure it reports is shrunk to at most
// 10 ops, its reproducer reproduces with sh, and replay runs its scenario
// file again to the same verdict.
func TestFuzzFindsShrinksAndReplays(t *testing.T) {
	RequireRoot(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	code, stdout, stderr := layercheck(t, "fuzz", "--depth", "3", "--count", "60", "--seed", "1", "--out", out,
		"--json", filepath.Join(dir, "f.json"), "--scratch", t.TempDir(), "--quiet")
	if code != 0 && code != 1 {
		t.Fatalf("fuzz exit %d\n%s%s", code, stdout, stderr)
	}
	var rep struct {
		Scenarios int `json:"scenarios"`
		Failures  []struct {
			Ops        int    `json:"ops"`
			Dir        string `json:"dir"`
			Reproduces string `json:"reproduces"`
			Signature  string `json:"signature"`
		} `json:"failures"`
		Verdicts map[string]int `json:"verdicts"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "f.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Scenarios != 60 || rep.Verdicts["error"] != 0 {
		t.Fatalf("ran %d scenarios, verdicts %v\n%s", rep.Scenarios, rep.Verdicts, stdout)
	}
	if (code == 1) != (len(rep.Failures) > 0) {
		t.Fatalf("exit %d with %d failures", code, len(rep.Failures))
	}
	for _, f := range rep.Failures {
		if f.Ops > 10 || f.Reproduces != "yes" {
			t.Errorf("%s: %d ops, reproduces: %s", f.Signature, f.Ops, f.Reproduces)
		}
		code, stdout, _ := layercheck(t, "replay", filepath.Join(f.Dir, "scenario.json"), "--scratch", t.TempDir())
		if code != 1 {
			t.Errorf("replay of %s: exit %d, want 1 (the failure again)\n%s", f.Signature, code, stdout)
		}
	}
}
