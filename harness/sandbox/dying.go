package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/layercheck/layercheck/harness/internal/daemon"
)

// DyingWait is how long Cleanup waits for a run that is dying (its parent
// killed) to be gone before it looks at the run's directory.
var DyingWait = 10 * time.Second

// A run is re-executed (a private mount namespace, a user namespace for
// --rootless), and each child gets SIGKILL when its parent dies. Right
// after a SIGKILL of the run the children are still dying: alive for
// kill(2), so Cleanup would leave their directories and daemon records as
// a run in progress, and a moment later they are gone, their leftovers
// still there. Cleanup waits for such a run first.

// waitDying waits, up to DyingWait, for every run beneath base (run-PID,
// and a rootless run's nested run-PID) that is dying to exit.
func waitDying(base string) {
	deadline := time.Now().Add(DyingWait)
	for _, pid := range runPIDs(base) {
		for dying(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// runPIDs are the owners named by run-PID entries beneath base, and one
// level further down.
func runPIDs(base string) []int {
	var pids []int
	for _, pattern := range []string{"run-*", "run-*/run-*"} {
		names, _ := filepath.Glob(filepath.Join(base, pattern))
		for _, n := range names {
			s := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), "run-"), daemon.RecordSuffix)
			if pid, err := strconv.Atoi(s); err == nil && pid > 1 && pid != os.Getpid() {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// dying reports whether pid is alive but on its way out: a zombie, a
// process with SIGKILL pending, or one whose parent is gone (re-parented
// to init, as the children of a killed run are until their own SIGKILL
// lands).
func dying(pid int) bool {
	if !daemon.Alive(pid) {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "State":
			if strings.HasPrefix(v, "Z") || strings.HasPrefix(v, "X") {
				return true
			}
		case "PPid":
			if v == "1" || v == "0" {
				return true
			}
		case "SigPnd", "ShdPnd":
			if mask, err := strconv.ParseUint(v, 16, 64); err == nil && mask&(1<<8) != 0 { // bit 9-1: SIGKILL
				return true
			}
		}
	}
	return false
}
