package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestParseIdmap: --idmap's bad values are one-line usage errors (exit
// 2); a good one parses, and a rootless run widens its namespace to hold
// the mapping's host ids.
func TestParseIdmap(t *testing.T) {
	for _, bad := range []string{"bogus", "all:0:1", "lowers:5:100000:10", "all:0:100000:10,5:100002:10"} {
		_, err := parseIdmap(bad)
		var ue *harness.UsageError
		if !errors.As(err, &ue) || strings.Contains(err.Error(), "\n") {
			t.Errorf("--idmap %q: %v, want a one-line usage error", bad, err)
		}
	}
	if s, err := parseIdmap(""); s != nil || err != nil {
		t.Errorf("no --idmap: %v, %v", s, err)
	}
	s, err := parseIdmap("all")
	if err != nil || s.Mapping.HostEnd() != 165536 {
		t.Fatalf("--idmap all: %v, %v", s, err)
	}
	old := sandbox.RootlessIDs
	defer func() { sandbox.RootlessIDs = old }()
	rootlessIdmap(s)
	if sandbox.RootlessIDs != 165536 {
		t.Errorf("rootless namespace maps %d ids, want 165536", sandbox.RootlessIDs)
	}
}

// TestReplayKeepsIdmap: a scenario file records the mapping fuzz ran
// with, and replay attaches the layers through it: a chown at runtime to a
// container id outside the mapping fails there (the idmapped upper cannot
// store it: overlay's known issue, a fail), where without the mapping it
// passes. FUSE backends without a mapping of their own exit 3.
func TestReplayKeepsIdmap(t *testing.T) {
	RequireRoot(t)
	dir := t.TempDir()
	sc := scenario.Scenario{Name: "fuzz/chown-outside", Suite: "fuzz", Steps: []scenario.Step{
		scenario.Runtime(fsop.Chown{Path: "etc/hostname", UID: 70000, GID: 70000})}}
	for name, d := range map[string]dims{"mapped": withIdmap(dims{}, &idmap.Spec{Layers: idmap.All, Mapping: idmap.Default}), "plain": {}} {
		b, err := json.Marshal(scenarioFile{Version: 1, Backend: "overlay", Depth: 2, dims: d, Scenario: sc})
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, name+".json")
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := layercheck(t, "replay", file, "--scratch", t.TempDir())
		switch {
		case name == "mapped" && (code != 1 || !strings.Contains(stdout, "idmap all:0:100000:65536: fail")):
			t.Errorf("replay with the recorded mapping: exit %d, want 1 and the mapping on the line\n%s%s", code, stdout, stderr)
		case name == "plain" && (code != 0 || strings.Contains(stdout, "idmap")):
			t.Errorf("replay without a mapping: exit %d, want 0\n%s%s", code, stdout, stderr)
		}
		if name == "mapped" {
			code, _, stderr = layercheck(t, "replay", file, "--backend", "unionfs-fuse", "--scratch", t.TempDir())
			if code != 3 || !strings.Contains(stderr, "no uid/gid mapping") {
				t.Errorf("replay on unionfs-fuse with the mapping: exit %d, want 3 with the reason\n%s", code, stderr)
			}
		}
	}
}

// TestIdmapReproducersReproduce: under each selection the reproducer of a
// failing scenario recreates the mapped view, with the plain directories
// of the selection on the raw side, and shows the failure again (sh exits
// 1; 2 would be a setup that failed, as when the raw side's directories
// were made where the view shows them too).
func TestIdmapReproducersReproduce(t *testing.T) {
	RequireRoot(t)
	for _, sel := range []string{"lowers", "upper", "all"} {
		dir := t.TempDir()
		code, stdout, stderr := layercheck(t, "run", "--idmap", sel, "--depth", "2", "--focus", "^whiteout/delete-one-name-of-hardlink-triple/layer=1$",
			"--scratch", t.TempDir(), "--repro-dir", dir, "-quiet")
		if code != 1 {
			t.Fatalf("--idmap %s: exit %d, want 1 (overlay/stale-nlink-of-lower-hardlink)\n%s%s", sel, code, stdout, stderr)
		}
		scripts, _ := filepath.Glob(filepath.Join(dir, "whiteout__*.sh"))
		if len(scripts) == 0 {
			t.Fatalf("--idmap %s: no reproducer in %s", sel, dir)
		}
		for _, s := range scripts {
			out, err := exec.Command("sh", s).CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Errorf("--idmap %s: sh %s: %v, want exit 1\n%s", sel, filepath.Base(s), err, out)
			}
		}
	}
}

// TestIdmapNote: the closing note counts the idmap suite's scenarios alone
// and names what their failures are; without --idmap it says nothing.
func TestIdmapNote(t *testing.T) {
	r := &report{Target: target{Idmap: "all 0:100000:65536"}, Scenarios: []harness.Result{
		{Name: "standing/rootfs", Suite: "standing", Verdict: harness.Pass},
		{Name: "idmap/a", Suite: "idmap", Verdict: harness.Pass},
		{Name: "idmap/b", Suite: "idmap", Verdict: harness.Fail, Findings: []snapshot.Finding{
			{Kind: snapshot.KindOwner, KnownIssue: "x/known"}, {Kind: snapshot.KindOwner, KnownIssue: "x/known"}, {Kind: snapshot.KindMode}}},
		{Name: "idmap/c", Suite: "idmap", Verdict: harness.Fail, Findings: []snapshot.Finding{{Kind: snapshot.KindOwner, Standing: true}, {Kind: snapshot.KindMode, KnownIssue: "x/known"}}},
		{Name: "permissions/d", Suite: "permissions", Verdict: harness.Fail},
	}}
	var b strings.Builder
	printIdmapNote(&b, r)
	want := "The mapping's own scenarios (suite idmap): 3: 1 pass, 2 fail, 0 xfail, 0 skip, 0 error; failing with untagged (1), x/known (2)\n"
	if b.String() != want {
		t.Errorf("note:\n%s want:\n%s", b.String(), want)
	}
	b.Reset()
	r.Target.Idmap = ""
	if printIdmapNote(&b, r); b.Len() != 0 {
		t.Errorf("a note without --idmap: %s", b.String())
	}
}
