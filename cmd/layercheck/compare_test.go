package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

func failing(name string, f snapshot.Finding) harness.Result {
	return harness.Result{Name: name, Verdict: harness.Fail, Findings: []snapshot.Finding{f}}
}

// TestCompareKernels compares two results files as two kernels' runs
// would differ: one deviation only on A (its scenario skipped on B), one
// only on B, one on both shown by more scenarios on B, one the same.
func TestCompareKernels(t *testing.T) {
	mode := snapshot.Finding{Kind: snapshot.KindMode, Path: "/a", Field: "mode", Reference: "0644", Merged: "0600"}
	xattr := snapshot.Finding{Kind: snapshot.KindXattr, Path: "/b", Field: "user.x", Reference: "1", Merged: ""}
	missing := snapshot.Finding{Kind: snapshot.KindMissing, Path: "/c"}
	extra := snapshot.Finding{Kind: snapshot.KindExtra, Path: "/d"}
	owner := snapshot.Finding{Kind: snapshot.KindOwner, Path: "/e", Field: "uid", Reference: "0", Merged: "1"}
	a := &report{Version: 1, Target: target{Kernel: "6.1.0"}, Scenarios: []harness.Result{
		failing("s/mode", mode), failing("s/xattr", xattr), failing("s/missing", missing), failing("s/extra", extra),
		{Name: "s/other", Verdict: harness.Pass},
	}}
	b := &report{Version: 1, Target: target{Kernel: "6.18.0"}, Scenarios: []harness.Result{
		{Name: "s/mode", Verdict: harness.Skip, Reason: "needs fchmodat2"}, {Name: "s/xattr", Verdict: harness.Pass},
		failing("s/missing", missing), failing("s/other", missing), failing("s/extra", extra), failing("s/new", mode), failing("s/owner", owner),
	}}
	// Round-trip both through JSON files, as the command reads them.
	dir := t.TempDir()
	var files []string
	for i, r := range []*report{a, b} {
		p := filepath.Join(dir, string(rune('a'+i))+".json")
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	var out bytes.Buffer
	code, err := cmdCompare(files, &out)
	if err != nil {
		t.Fatal(err)
	}
	if code != exitFindings {
		t.Errorf("exit %d, want %d (a deviation appeared)", code, exitFindings)
	}
	c := compareReports(a, b)
	if len(c.appeared) != 1 || len(c.disappeared) != 1 || len(c.changed) != 2 || c.same != 1 {
		t.Fatalf("appeared %d, disappeared %d, changed %d, same %d; want 1, 1, 2, 1\n%s", len(c.appeared), len(c.disappeared), len(c.changed), c.same, out.String())
	}
	for _, want := range []string{"kernel 6.1.0", "kernel 6.18.0", "in B: pass", "scenarios 1 -> 2", "smallest s/mode -> s/new", "smallest s/owner (0 ops); in A: not run", "s/mode: fail -> skip: needs fchmodat2", "s/other: pass -> fail"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
