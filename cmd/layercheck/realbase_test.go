package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestRealBaseGivesTheFixturesResults runs every suite on a real tree (a
// copy of this machine's /etc and part of /usr/share/doc, with a Debian
// style hardlinked symlink) as --base and on the rootfs fixture alone:
// no scenario may xpass on the real tree, every scenario that runs there
// comes to the fixture's verdict, and no unexpected finding shows there
// that the fixture does not show too (a false finding made by the
// harness, as a split hardlink or a scenario without its subject were).
func TestRealBaseGivesTheFixturesResults(t *testing.T) {
	RequireRoot(t)
	if testing.Short() {
		t.Skip("runs the suites twice")
	}
	tree := realTree(t)
	real, fix := suiteResults(t, "--base", tree), suiteResults(t)
	ran := 0
	for name, r := range real {
		f, ok := fix[name]
		switch {
		case !ok:
			t.Errorf("%s: not in the fixture's run", name)
		case r.Verdict == "xpass":
			t.Errorf("%s: xpass on the real tree: %s", name, r.Reason)
		case r.Verdict == "skip":
			continue
		case r.Verdict != f.Verdict:
			t.Errorf("%s: %s on the real tree, %s on the fixture (%s)", name, r.Verdict, f.Verdict, r.Reason)
		}
		ran++
		seen := map[string]bool{}
		for _, x := range f.Findings {
			seen[findingKey(x)] = true
		}
		for _, x := range r.Unexpected() {
			if !seen[findingKey(x)] {
				t.Errorf("%s: finding on the real tree only: %s", name, findingKey(x))
			}
		}
	}
	if ran < len(real)/2 {
		t.Errorf("only %d of %d scenarios ran on the real tree", ran, len(real))
	}
}

// suiteResults runs every suite at depth 2 with args and returns the
// results by name (Seconds zeroed: the one field that may differ).
func suiteResults(t *testing.T, args ...string) map[string]harness.Result {
	t.Helper()
	code, rep, out := runJSON(t, append([]string{"--depth", "2", "--scratch", t.TempDir()}, args...)...)
	if code > exitFindings {
		t.Fatalf("exit %d\n%s", code, out)
	}
	m := map[string]harness.Result{}
	for _, s := range rep.Scenarios {
		s.Seconds = 0
		for i, f := range s.Findings {
			if f.Kind == snapshot.KindInode { // inode numbers are the run's own
				s.Findings[i].Merged, s.Findings[i].Reference = inodeNumbers.ReplaceAllString(f.Merged, "N"), inodeNumbers.ReplaceAllString(f.Reference, "N")
			}
		}
		m[s.Name] = s
	}
	return m
}

var inodeNumbers = regexp.MustCompile(`[0-9]+`)

func findingKey(f snapshot.Finding) string {
	return fmt.Sprintf("%s %s %s: %q vs %q", f.Kind, f.Path, f.Field, f.Reference, f.Merged)
}

// realTree copies /etc and the first docs of /usr/share/doc, and adds
// usr/bin/sh as a symlink hardlinked to etc/hostname-link, as Debian
// trees hold them.
func realTree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "root")
	sh := "mkdir -p " + dir + "/usr/share/doc " + dir + "/usr/bin && cp -a /etc " + dir + "/etc && " +
		"for d in $(ls /usr/share/doc | head -40); do cp -a /usr/share/doc/$d " + dir + "/usr/share/doc/; done && " +
		"ln -s usr/bin " + dir + "/bin && ln -s dash " + dir + "/usr/bin/sh && ln " + dir + "/usr/bin/sh " + dir + "/etc/sh-link"
	if out, err := exec.Command("sh", "-c", sh).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return dir
}
