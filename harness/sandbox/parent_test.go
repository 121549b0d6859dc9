package sandbox

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestChildDiesWithParentAfterCredChange: a child started with
// withParent, whose main thread changed its fsuid (which clears
// PDEATHSIG), still dies when its parent is killed.
func TestChildDiesWithParentAfterCredChange(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changes the fsuid: needs root")
	}
	dir := t.TempDir()
	pidFile, ready := dir+"/child.pid", dir+"/child.ready"
	// The parent: a shell that starts the child (this test binary in the
	// child role) and waits; the test kills the shell.
	parent := exec.Command("sh", "-c", `"$0" -test.run '^TestChildRole$' & echo $! > "$1"; wait`, os.Args[0], pidFile)
	parent.Env = append(os.Environ(), "SANDBOX_TEST_ROLE=child", "SANDBOX_TEST_READY="+ready)
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed once the child watches it with its fsuid changed, so that
	// the watch, not the check at its start, is what ends the child.
	var child int
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(pidFile)
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		if _, err := os.Stat(ready); err == nil && child != 0 {
			break
		}
	}
	if _, err := os.Stat(ready); err != nil || child == 0 {
		parent.Process.Kill()
		t.Fatal("the child did not get ready")
	}
	parent.Process.Kill()
	parent.Wait()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(child, 0) != nil {
			return
		}
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(child) + "/stat"); strings.Contains(string(b), ") Z ") {
			return
		}
	}
	syscall.Kill(child, syscall.SIGKILL)
	t.Fatalf("child %d outlived its killed parent", child)
}

// TestChildRole is the child of TestChildDiesWithParentAfterCredChange:
// it watches its parent as a re-executed run does, changes the fsuid of
// its main thread as an op would, and waits to be killed.
func TestChildRole(t *testing.T) {
	if os.Getenv("SANDBOX_TEST_ROLE") != "child" {
		t.Skip("the child of TestChildDiesWithParentAfterCredChange")
	}
	os.Setenv(parentEnv, strconv.Itoa(os.Getppid()))
	dieWithParent()
	syscall.Setfsuid(1000)
	syscall.Setfsuid(0) // back: to write the marker; the parent-death signal stays cleared
	if err := os.WriteFile(os.Getenv("SANDBOX_TEST_READY"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Minute)
}
