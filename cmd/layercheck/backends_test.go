package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/layercheck/layercheck/harness"
)

// These tests drive the FUSE adapters, the exec template, --rootless and
// the matrix through the command. They check that each runs to the end,
// reports what it saw (every xfail cited, no error from the harness
// itself), and leaves no mount and no daemon behind; never that a backend
// has no bugs.

func requireFuse(t *testing.T, prog string) {
	t.Helper()
	RequireRoot(t)
	for _, p := range []string{prog, "fusermount3"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", p)
		}
	}
}

// strayDaemons lists processes whose command line names scratch.
func strayDaemons(scratch string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), scratch) {
			out = append(out, e.Name()+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}

// assertNoDaemons waits until no process of scratch is left: a killed
// run's namespace child and its daemons go a moment after it, and on a
// loaded machine that moment has taken over 5 s (the exit tears down the
// run's mount namespace, FUSE mounts included). The bound only stops a
// test that would wait forever; what is left then is named with its state
// and where the kernel has it waiting.
func assertNoDaemons(t *testing.T, scratch string) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		if len(strayDaemons(scratch)) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	left := strayDaemons(scratch)
	for i, p := range left {
		pid, _, _ := strings.Cut(p, ":")
		stat, _ := os.ReadFile(filepath.Join("/proc", pid, "stat"))
		wchan, _ := os.ReadFile(filepath.Join("/proc", pid, "wchan"))
		left[i] = fmt.Sprintf("%s [stat %s, wchan %s]", p, strings.TrimSpace(string(stat)), wchan)
	}
	t.Errorf("processes left running: %v", left)
}

// runJSON runs layercheck with --json and returns the exit code and report.
func runJSON(t *testing.T, args ...string) (int, report, string) {
	t.Helper()
	js := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := layercheck(t, append(args, "--json", js, "--quiet")...)
	var rep report
	b, err := os.ReadFile(js)
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("no JSON report (exit %d): %v\n%s%s", code, err, stdout, stderr)
	}
	return code, rep, stdout + stderr
}

// checkHonest: exit 0 exactly when nothing failed; every expected finding
// cited; no scenario the harness could not run.
func checkHonest(t *testing.T, code int, rep report, out string) {
	t.Helper()
	if code != exitOK && code != exitFindings {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if (code == exitOK) != (rep.Summary.Fail == 0 && rep.Summary.Error == 0) {
		t.Errorf("exit %d with %+v", code, rep.Summary)
	}
	for _, s := range rep.Scenarios {
		if s.Verdict == "error" {
			t.Errorf("%s: error: %s", s.Name, s.Reason)
		}
		if s.Verdict == "fail" && len(s.Unexpected()) == 0 {
			t.Errorf("%s: fail without an unexpected finding", s.Name)
		}
		for _, f := range s.Findings {
			if f.Expectation != "" && f.ExpectedBy == "" {
				t.Errorf("%s: expected finding without citation: %v", s.Name, f)
			}
		}
	}
}

// TestFuseBackendsRunAndLeaveNothing: both FUSE adapters run a slice of
// every suite to the end at depth 3, with nothing mounted and no daemon
// left.
func TestFuseBackendsRunAndLeaveNothing(t *testing.T) {
	for _, b := range []string{"fuse-overlayfs", "unionfs-fuse"} {
		t.Run(b, func(t *testing.T) {
			requireFuse(t, b)
			scratch := t.TempDir()
			code, rep, out := runJSON(t, "--backend", b, "--depth", "3", "-j", "2", "--scratch", scratch,
				"--focus", "chmod-file-in-layer|delete-file-in-layer|rename-lower-dir$|noreplace-onto-free-name|xattr")
			checkHonest(t, code, rep, out)
			if rep.Target.Backend != b || rep.Summary.Scenarios == 0 {
				t.Errorf("target %+v, %d scenarios", rep.Target, rep.Summary.Scenarios)
			}
			assertNothingLeft(t, scratch)
			assertNoDaemons(t, scratch)
		})
	}
}

// TestExecTemplateMatchesNativeAdapter: fuse-overlayfs driven through an
// exec: template reaches the same verdict as the native adapter on every
// scenario, and a daemonizing template (no -f) too.
func TestExecTemplateMatchesNativeAdapter(t *testing.T) {
	requireFuse(t, "fuse-overlayfs")
	focus := []string{"--depth", "3", "-j", "2", "--focus", "chmod-file-in-layer|delete-populated-dir|rename-lower-dir$|rename-dir-made"}
	scratch := t.TempDir()
	_, native, _ := runJSON(t, append([]string{"--backend", "fuse-overlayfs", "--scratch", scratch}, focus...)...)
	for _, tmpl := range []string{
		"exec:fuse-overlayfs -f -o lowerdir={lowers},upperdir={upper},workdir={work} {target}",
		"exec:fuse-overlayfs -o lowerdir={lowers},upperdir={upper},workdir={work} {target}",
	} {
		code, viaExec, out := runJSON(t, append([]string{"--backend", tmpl, "--unmount", "fusermount3 -u {target}", "--scratch", scratch}, focus...)...)
		checkHonest(t, code, viaExec, out)
		want := map[string]harness.Verdict{}
		for _, s := range native.Scenarios {
			want[s.Name] = s.Verdict
		}
		for _, s := range viaExec.Scenarios {
			if want[s.Name] != s.Verdict {
				t.Errorf("%s: %s via %q, %s natively", s.Name, s.Verdict, tmpl, want[s.Name])
			}
		}
		if len(viaExec.Scenarios) != len(native.Scenarios) {
			t.Errorf("%d scenarios via exec, %d natively", len(viaExec.Scenarios), len(native.Scenarios))
		}
	}
	assertNothingLeft(t, scratch)
	assertNoDaemons(t, scratch)
}

// TestKilledFuseRunLeavesNoDaemon: SIGKILL of a run with FUSE daemons
// kills them with it (PDEATHSIG), and cleanup removes the rest.
func TestKilledFuseRunLeavesNoDaemon(t *testing.T) {
	requireFuse(t, "fuse-overlayfs")
	scratch := t.TempDir()
	cmd := exec.Command(binary, "--backend", "fuse-overlayfs", "--depth", "5", "-j", "2", "--scratch", scratch, "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && len(strayDaemons(filepath.Join(scratch, "run-"))) < 2 {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	assertNoDaemons(t, scratch)
	// The run's namespace child dies by PDEATHSIG a moment later: cleanup,
	// run right away, waits for it rather than leave its remains.
	code, stdout, stderr := layercheck(t, "cleanup", "--scratch", scratch)
	if code != 0 || strings.Contains(stdout, "left alone") {
		t.Fatalf("cleanup right after SIGKILL: exit %d\n%s%s", code, stdout, stderr)
	}
	assertNothingLeft(t, scratch)
	if left, _ := filepath.Glob(filepath.Join(scratch, "*.daemons")); len(left) > 0 {
		t.Errorf("daemon records left: %v", left)
	}
}

// TestRootlessRunsOnOverlay: --rootless runs in a user namespace with
// userxattr and says so.
func TestRootlessRunsOnOverlay(t *testing.T) {
	scratch := rootlessScratch(t)
	code, rep, out := runJSON(t, "--rootless", "--depth", "3", "--scratch", scratch, "--focus", "chmod-file-in-layer|delete-file-in-layer|rename-lower-dir$")
	checkHonest(t, code, rep, out)
	if !rep.Target.Rootless || !strings.Contains(rep.Target.Options, "userxattr") {
		t.Errorf("target %+v: want rootless with userxattr", rep.Target)
	}
	assertNothingLeft(t, scratch)
}

// TestMatrixPrintsOneTable: the matrix has a column per target, a row per
// scenario under its suite, in the terminal and in Markdown.
func TestMatrixPrintsOneTable(t *testing.T) {
	RequireRoot(t)
	md := filepath.Join(t.TempDir(), "m.md")
	targets := "overlay,overlay:redirect_dir=on+index=on"
	if _, err := exec.LookPath("fuse-overlayfs"); err == nil {
		targets += ",fuse-overlayfs"
	}
	code, stdout, stderr := layercheck(t, "matrix", "--backends", targets, "--depth", "2", "--quiet",
		"--focus", "rename-lower-dir$|chmod-file-in-layer", "--markdown", md)
	if code != exitOK && code != exitFindings {
		t.Fatalf("matrix: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"overlay:redirect_dir=on+index=on", "[rename]", "rename-lower-dir", "xfail", "pass"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("matrix output lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(md)
	if err != nil || !strings.Contains(string(b), "| scenario | overlay |") || !strings.Contains(string(b), "| **rename** |") {
		t.Errorf("markdown: %v\n%s", err, b)
	}
}

// TestBackendsListsEveryBackend: installed or not, each with its package.
func TestBackendsListsEveryBackend(t *testing.T) {
	RequireRoot(t)
	code, stdout, stderr := layercheck(t, "backends")
	if code != 0 {
		t.Fatalf("backends: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"overlay\n", "fuse-overlayfs\n", "unionfs-fuse\n", "exec:TEMPLATE", "installed:", "rootless:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("backends output lacks %q:\n%s", want, stdout)
		}
	}
}
