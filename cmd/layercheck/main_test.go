package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "layercheck-bin-")
	if err != nil {
		panic(err)
	}
	os.Chmod(dir, 0o755) // the not-root test runs it as another user
	binary = filepath.Join(dir, "layercheck")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func RequireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// layercheck runs the binary and returns its exit code, stdout and stderr.
func layercheck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestBadInputExitsTwoWithOneLine: every bad request gets exit code 2 and
// one line on stderr that names the problem, and mounts nothing.
func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	RequireRoot(t)
	scratch := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--depth", "0"}, "--depth: 0 is out of range: 1 to 500"},
		{[]string{"--depth", "501"}, "--depth: 501 is out of range"},
		{[]string{"--repeat", "-1"}, "--repeat: -1: must be at least 1"},
		{[]string{"--backend", "nope"}, `unknown backend "nope"`},
		{[]string{"--suite", "nope"}, `unknown suite "nope"`},
		{[]string{"--focus", "("}, "--focus"},
		{[]string{"--options", "metacopy=on,nfs_export=on"}, "conflicting options"},
		{[]string{"--options", "lowerdir=/etc"}, "lowerdir is set by layercheck"},
		{[]string{"--base", "/nonexistent/tree"}, "--base"},
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"--build", "bogus"}, `--build: "bogus" is not a build mode (known: mount, extract, extract-xattr)`},
		{[]string{"--build-backend", "overlay"}, "--build-backend: only with --build extract"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		code, _, stderr := layercheck(t, append(c.args, "--scratch", scratch, "--quiet")...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", c.args, code, stderr, c.want)
		}
	}
	assertNothingLeft(t, scratch)
}

// TestNotRootExitsThree: without root the environment cannot run it.
func TestNotRootExitsThree(t *testing.T) {
	RequireRoot(t)
	cmd := exec.Command(binary, "--depth", "2")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 1002, Gid: 1002}}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 3 || !strings.Contains(errb.String(), "root") {
		t.Fatalf("as uid 1002: %v, stderr %q; want exit 3 saying root is needed", err, errb.String())
	}
}

// TestJSONContract: --json writes the object the README documents.
func TestJSONContract(t *testing.T) {
	RequireRoot(t)
	scratch := t.TempDir()
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := layercheck(t, "--depth", "2", "--suite", "rename,permissions", "--focus", "^(rename/rename-lower-dir|permissions/offline-chmod-of-copied-up-dir-is-masked)$",
		"--json", out, "--scratch", scratch, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var r struct {
		Version int `json:"version"`
		Target  struct {
			Backend, Options, Kernel, FS string
			Depth                        int
			Rootless                     bool
		} `json:"target"`
		Summary   map[string]float64 `json:"summary"`
		Scenarios []struct {
			Name, Suite, Verdict string
			Seconds              float64
			Findings             []map[string]any
		} `json:"scenarios"`
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Scenarios) > 0 && r.Scenarios[0].Suite == "standing" {
		r.Scenarios = r.Scenarios[1:] // the standing entry, first (triage_test.go)
	}
	if r.Version != 1 || r.Target.Backend != "overlay" || r.Target.FS != "tmpfs" || r.Target.Depth != 2 || r.Target.Kernel == "" {
		t.Errorf("target: %+v", r.Target)
	}
	for _, k := range []string{"scenarios", "pass", "fail", "xfail", "xpass", "skip", "error", "seconds"} {
		if _, ok := r.Summary[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}
	if r.Summary["xfail"] != 2 || len(r.Scenarios) != 2 {
		t.Fatalf("want 2 xfail scenarios, got %v", r.Summary)
	}
	for _, s := range r.Scenarios {
		if s.Verdict != "xfail" || len(s.Findings) == 0 {
			t.Errorf("%s: %s with %d findings", s.Name, s.Verdict, len(s.Findings))
		}
		for _, f := range s.Findings {
			for _, k := range []string{"kind", "path", "field", "reference", "merged", "expected_by"} {
				if _, ok := f[k]; !ok {
					t.Errorf("%s: finding lacks %q: %v", s.Name, k, f)
				}
			}
		}
	}
	if !strings.Contains(stdout, "overlay/merged-dir-upper-metadata") || !strings.Contains(stdout, "etc/app") {
		t.Errorf("summary does not name the masked path:\n%s", stdout)
	}
	assertNothingLeft(t, scratch)
}

// TestInterruptLeavesNothingMounted: SIGINT in the middle of a run stops
// it with exit 130, unmounts everything and removes its scratch.
func TestInterruptLeavesNothingMounted(t *testing.T) {
	RequireRoot(t)
	scratch := t.TempDir()
	cmd := exec.Command(binary, "--depth", "50", "-j", "2", "--scratch", scratch, "--on-disk")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the run has mounted something (a scenario directory exists).
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(scratch, "run-*", "scenarios", "s-*")); len(m) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 {
		t.Fatalf("after SIGINT: %v; want exit 130\n%s", err, errb.String())
	}
	assertNothingLeft(t, scratch)
}

// TestCleanupRemovesWhatAKilledRunLeft: a run directory whose process is
// gone, with a mount still in it, is unmounted and removed.
func TestCleanupRemovesWhatAKilledRunLeft(t *testing.T) {
	RequireRoot(t)
	scratch := t.TempDir()
	dead := filepath.Join(scratch, "run-999999999")
	mnt := filepath.Join(dead, "scenarios", "s-1", "m")
	os.MkdirAll(mnt, 0o755)
	if err := unix.Mount("layercheck-test", mnt, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := layercheck(t, "cleanup", "--scratch", scratch)
	if code != 0 || !strings.Contains(stdout, "unmounted "+mnt) || !strings.Contains(stdout, "removed "+dead) {
		unix.Unmount(mnt, unix.MNT_DETACH)
		t.Fatalf("cleanup: exit %d\n%s%s", code, stdout, stderr)
	}
	assertNothingLeft(t, scratch)
}

// assertNothingLeft: no mount beneath scratch and no run directory in it.
func assertNothingLeft(t *testing.T, scratch string) {
	t.Helper()
	b, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(b), scratch) {
		t.Errorf("still mounted beneath %s:\n%s", scratch, b)
	}
	if left, _ := filepath.Glob(filepath.Join(scratch, "run-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
