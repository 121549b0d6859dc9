package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readJSON(t *testing.T, path string) report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func verdicts(r report) map[string]string {
	out := map[string]string{}
	for _, s := range r.Scenarios {
		out[s.Name] = string(s.Verdict)
	}
	return out
}

// TestShardsMergeToTheWhole: four shards, merged, hold exactly the
// scenarios and verdicts of one unsharded run; a missing or repeated shard
// is refused.
func TestShardsMergeToTheWhole(t *testing.T) {
	RequireRoot(t)
	dir := t.TempDir()
	common := []string{"--depth", "2", "--suite", "rename,whiteout", "--scratch", t.TempDir(), "--quiet"}
	layercheck(t, append(common, "--json", filepath.Join(dir, "all.json"))...)
	var shards []string
	for k := 1; k <= 4; k++ {
		f := filepath.Join(dir, "shard"+string(rune('0'+k))+".json")
		layercheck(t, append(common, "--shard", string(rune('0'+k))+"/4", "--json", f)...)
		shards = append(shards, f)
	}
	code, stdout, stderr := layercheck(t, append([]string{"merge"}, append(shards, "--json", filepath.Join(dir, "merged.json"), "--junit", filepath.Join(dir, "merged.xml"))...)...)
	whole := readJSON(t, filepath.Join(dir, "all.json"))
	merged := readJSON(t, filepath.Join(dir, "merged.json"))
	wantCode := 0
	if whole.Summary.Fail+whole.Summary.Error > 0 {
		wantCode = 1
	}
	if code != wantCode {
		t.Fatalf("merge exit %d, want %d\n%s%s", code, wantCode, stdout, stderr)
	}
	a, b := verdicts(whole), verdicts(merged)
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("whole run has %d scenarios, merged shards %d", len(a), len(b))
	}
	for n, v := range a {
		if b[n] != v {
			t.Errorf("%s: %s in the whole run, %s in the merged shards", n, v, b[n])
		}
	}
	if code, _, stderr := layercheck(t, "merge", shards[0], shards[1], shards[2]); code != 2 || !strings.Contains(stderr, "missing") {
		t.Errorf("merge of 3 of 4 shards: exit %d, %q", code, stderr)
	}
	if code, _, stderr := layercheck(t, "merge", shards[0], shards[0], shards[1], shards[2], shards[3]); code != 2 || !strings.Contains(stderr, "twice") {
		t.Errorf("merge with a repeated shard: exit %d, %q", code, stderr)
	}
	// The merged JUnit parses and counts what the JSON counts.
	var doc junitSuites
	x, _ := os.ReadFile(filepath.Join(dir, "merged.xml"))
	if err := xml.Unmarshal(x, &doc); err != nil {
		t.Fatal(err)
	}
	s := merged.Summary
	if doc.Tests != s.Scenarios || doc.Failures != s.Fail || doc.Errors != s.Error || doc.Skipped != s.Skip {
		t.Errorf("junit counts %d/%d/%d/%d, json %+v", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, s)
	}
}

// TestReprosReproduce: every reproducer a run writes replays its failure
// when run with sh (exit 1), and cleans up after itself.
func TestReprosReproduce(t *testing.T) {
	t.Run("whiteout", func(t *testing.T) { checkReprosReproduce(t, "--suite", "whiteout") })
	// Descriptor ops replay as one perl program per phase (frontend/repro/fdrun.go).
	t.Run("openfiles", func(t *testing.T) {
		checkReprosReproduce(t, "--suite", "openfiles", "--focus", "ro-fd-across-unlink")
	})
}

// checkReprosReproduce runs layercheck with args and every reproducer of
// a failure it wrote.
func checkReprosReproduce(t *testing.T, args ...string) {
	RequireRoot(t)
	dir := t.TempDir()
	repro := filepath.Join(dir, "repro")
	layercheck(t, append([]string{"--depth", "3", "--repro-dir", repro, "--json", filepath.Join(dir, "r.json"), "--scratch", t.TempDir(), "--quiet"}, args...)...)
	r := readJSON(t, filepath.Join(dir, "r.json"))
	n := 0
	for _, s := range r.Scenarios {
		if s.Verdict != "fail" {
			continue
		}
		n++
		checkReproduces(t, s.Name, s.Repro)
	}
	if n == 0 {
		t.Skip("no failing scenario on this backend to reproduce")
	}
	if _, err := os.Stat(filepath.Join(repro, "index.txt")); err != nil {
		t.Error(err)
	}
}
