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
	if os.Getenv("SANDBOX_TEST_ROLE") != "" {
		return
	}
	pidFile := t.TempDir() + "/child.pid"
	// The parent: a shell that starts the child (this test binary in the
	// child role) and waits; the test kills the shell.
	parent := exec.Command("sh", "-c", `"$0" -test.run '^TestChildRole$' & echo $! > "$1"; wait`, os.Args[0], pidFile)
	parent.Env = append(os.Environ(), "SANDBOX_TEST_ROLE=child")
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	var child int
	for deadline := time.Now().Add(time.Minute); child == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(pidFile)
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if child == 0 {
		parent.Process.Kill()
		t.Fatal("the child did not start")
	}
	time.Sleep(500 * time.Millisecond) // let it set up its watch
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
	time.Sleep(2 * time.Minute)
}
