package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// checkReproduces runs the reproducer script of scenario name with sh and
// wants exit 1 (reproduced) and nothing left in its TMPDIR.
func checkReproduces(t *testing.T, name, script string) {
	t.Helper()
	if script == "" {
		t.Errorf("%s: no reproducer", name)
		return
	}
	tmp := t.TempDir()
	cmd := exec.Command("sh", script)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("%s: sh %s: %v, want exit 1\n%s", name, script, err, out)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("%s: the reproducer left %v", name, left)
	}
	for i := 0; len(processesIn(tmp)) > 0 && i < 50; i++ {
		time.Sleep(100 * time.Millisecond) // a daemon ends once its mount is gone
	}
	if p := processesIn(tmp); len(p) > 0 {
		t.Errorf("%s: the reproducer left processes running: %v", name, p)
	}
}

// processesIn lists the processes whose working directory is beneath dir
// (a daemon a reproducer started there).
func processesIn(dir string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cwd")
	for _, p := range procs {
		if cwd, err := os.Readlink(p); err == nil && strings.HasPrefix(cwd, dir+"/") {
			out = append(out, filepath.Base(filepath.Dir(p))+" in "+cwd)
		}
	}
	return out
}

// TestExecReproducersReproduce: an exec: backend gets reproducer scripts
// (its template is a shell command): for fuse-overlayfs driven through a
// foreground template, each script of a failing scenario mounts with the
// template, finds the deviation again (exit 1), unmounts with the
// --unmount template and leaves no mount, no daemon and no file behind.
func TestExecReproducersReproduce(t *testing.T) {
	requireFuse(t, "fuse-overlayfs")
	dir := t.TempDir()
	code, rep, out := runJSON(t, "--backend", "exec:fuse-overlayfs -f -o lowerdir={lowers},upperdir={upper},workdir={work} {target}",
		"--unmount", "fusermount3 -u {target}", "--depth", "3", "--suite", "whiteout", "--focus", "delete-whiteout-lookalike$|delete-marker-lookalikes-in-layer/layer=1",
		"--repro-dir", filepath.Join(dir, "repro"), "--scratch", t.TempDir())
	failed := 0
	for _, s := range rep.Scenarios {
		if s.Verdict == "fail" {
			failed++
			checkReproduces(t, s.Name, s.Repro)
		}
	}
	if failed == 0 {
		t.Skipf("no scenario failed on fuse-overlayfs here (exit %d): nothing to reproduce\n%s", code, out)
	}
}
