package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBaselineGatesOnNewDeviations: a run judged against its own results
// exits 0; against a baseline that lacks one of its deviations it exits 1
// and names that one as new; a baseline deviation the run does not show
// is listed as gone, and fails only with --fail-on gone.
func TestBaselineGatesOnNewDeviations(t *testing.T) {
	RequireRoot(t)
	dir := t.TempDir()
	a := filepath.Join(dir, "a.json")
	// Scenarios that show overlayfs deviations on 6.18 (known issues), and
	// one that passes; the test skips where none shows.
	focus := "rename-hardlink-over-its-other-name|rename-upper-dir-over-non-empty-upper-dir|rename-file-within-dir"
	common := []string{"--depth", "3", "--suite", "rename", "--focus", focus, "--scratch", t.TempDir(), "--quiet"}
	code, stdout, stderr := layercheck(t, append(common, "--json", a)...)
	r := readJSON(t, a)
	if len(r.Deviations) == 0 {
		t.Skipf("no unexpected deviation on this kernel to gate on (exit %d)", code)
	}
	if code != 1 {
		t.Fatalf("deviations without a baseline: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := layercheck(t, append(common, "--baseline", a)...); code != 0 || !strings.Contains(stdout, "No new deviation") {
		t.Fatalf("against its own results: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	// The text form, one deviation deleted, one that never shows added.
	code, text, stderr := layercheck(t, "baseline", a)
	if code != 0 || !strings.HasPrefix(text, "# ") {
		t.Fatalf("layercheck baseline: exit %d\n%s%s", code, text, stderr)
	}
	deleted := r.Deviations[0].Signature
	if !strings.Contains(text, "\n"+deleted+"\n") {
		t.Fatalf("baseline file lacks %q:\n%s", deleted, text)
	}
	edited := strings.Replace(text, "\n"+deleted+"\n", "\nno such deviation\n", 1)
	b := filepath.Join(dir, "b.txt")
	if err := os.WriteFile(b, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = layercheck(t, append(common, "--baseline", b)...)
	newPart, _, _ := strings.Cut(stdout, "Still present")
	if code != 1 || !strings.Contains(newPart, "New deviations") || !strings.Contains(newPart, deleted) {
		t.Errorf("baseline without %q: exit %d, want 1 naming it as new\n%s", deleted, code, stdout)
	}
	if !strings.Contains(stdout, "Gone (in the baseline, not seen now): 1\n  no such deviation") {
		t.Errorf("the deviation that never showed is not listed as gone:\n%s", stdout)
	}
	// Gone alone passes, unless --fail-on gone.
	withGone := filepath.Join(dir, "gone.txt")
	os.WriteFile(withGone, []byte(text+"no such deviation\n"), 0o644)
	if code, stdout, _ := layercheck(t, append(common, "--baseline", withGone)...); code != 0 {
		t.Errorf("only a gone deviation: exit %d, want 0\n%s", code, stdout)
	}
	if code, stdout, _ := layercheck(t, append(common, "--baseline", withGone, "--fail-on", "gone")...); code != 1 {
		t.Errorf("a gone deviation with --fail-on gone: exit %d, want 1\n%s", code, stdout)
	}
}

// TestGateFlagsAreChecked: the flags of the gate refuse what they cannot
// mean with exit 2 and one line.
func TestGateFlagsAreChecked(t *testing.T) {
	RequireRoot(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--fail-on", "bogus", "--quiet"}, `--fail-on: "bogus": it takes xpass, gone and kernel-event`},
		{[]string{"--fail-on", "gone", "--quiet"}, "--fail-on: gone: only with --baseline"},
		{[]string{"--baseline", "/nonexistent", "--quiet"}, "--baseline: open /nonexistent"},
		{[]string{"baseline"}, "baseline: give the JSON results"},
	} {
		code, _, stderr := layercheck(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestStandingReportedOnceAndLeftOut runs fuse-overlayfs, whose stack
// deviates before any op (a root listing without "..", the fixture's
// .wh.* names read as whiteouts): the standing entry comes first in the
// JSON, JUnit and TAP, with those findings; in every other scenario the
// same findings are marked standing and left out of the verdict, so a
// scenario fails only on what its ops caused; the text says them once.
func TestStandingReportedOnceAndLeftOut(t *testing.T) {
	RequireRoot(t)
	if _, err := exec.LookPath("fuse-overlayfs"); err != nil {
		t.Skip("fuse-overlayfs is not installed")
	}
	dir := t.TempDir()
	j, x, tap := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.tap")
	_, stdout, stderr := layercheck(t, "--backend", "fuse-overlayfs", "--depth", "2", "--suite", "whiteout", "--focus", "delete",
		"--json", j, "--junit", x, "--tap", tap, "--scratch", t.TempDir(), "--quiet")
	r := readJSON(t, j)
	if len(r.Scenarios) < 2 || r.Scenarios[0].Name != "standing/rootfs" {
		t.Fatalf("the first entry is not standing/rootfs:\n%s%s", stdout, stderr)
	}
	st := r.Scenarios[0]
	if len(st.Findings) == 0 {
		t.Skip("fuse-overlayfs shows no standing deviation here")
	}
	marked, passing := 0, 0
	for _, s := range r.Scenarios[1:] {
		own := 0
		for _, f := range s.Findings {
			if f.Standing {
				marked++
			} else if !f.Expected() {
				own++
			}
		}
		if s.Verdict != "error" && (s.Verdict == "fail") != (own > 0) { // an error (the daemon crashed) marks nothing
			t.Errorf("%s: %s with %d unexpected findings of its own", s.Name, s.Verdict, own)
		}
		if s.Verdict == "pass" {
			passing++
		}
	}
	if marked == 0 || passing == 0 || r.Summary.Standing != marked {
		t.Errorf("%d standing findings marked (summary %d), %d scenarios pass", marked, r.Summary.Standing, passing)
	}
	if n := strings.Count(stdout, st.Findings[0].String()); n != 1 && n != 2 { // the standing entry, and maybe as a deviation's example
		t.Errorf("the standing finding %q is printed %d times:\n%s", st.Findings[0], n, stdout)
	}
	var doc junitSuites
	b, _ := os.ReadFile(x)
	if err := xml.Unmarshal(b, &doc); err != nil || len(doc.Suites) == 0 || doc.Suites[0].Name != "standing" {
		t.Errorf("junit: the first suite is not the standing one (%v)", err)
	}
	checkTAP(t, tap, r)
}

// checkTAP checks a TAP file against the JSON of the same run: version
// 13, the plan, one point per scenario in order, not ok where the gate
// failed and (with TODO) for an xfail, SKIP and TODO directives.
func checkTAP(t *testing.T, path string, r report) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if lines[0] != "TAP version 13" || lines[1] != "1.."+strconv.Itoa(len(r.Scenarios)) {
		t.Fatalf("TAP header %q", lines[:2])
	}
	i := 0
	for _, l := range lines[2:] {
		if !strings.HasPrefix(l, "ok ") && !strings.HasPrefix(l, "not ok ") {
			continue
		}
		s := r.Scenarios[i]
		i++
		want := "ok " + strconv.Itoa(i) + " " + s.Name
		if s.Verdict == "fail" || s.Verdict == "error" || s.Verdict == "xfail" {
			want = "not " + want
		}
		if !strings.HasPrefix(l, want) {
			t.Errorf("test point %q, want %q", l, want)
		}
		if (s.Verdict == "skip") != strings.Contains(l, " # SKIP ") || (s.Verdict == "xfail") != strings.Contains(l, " # TODO ") {
			t.Errorf("%s: %q lacks or misplaces its directive", s.Verdict, l)
		}
	}
	if i != len(r.Scenarios) {
		t.Errorf("%d test points for %d scenarios", i, len(r.Scenarios))
	}
}
