package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/layercheck/layercheck/harness/kernlog"
)

// TestForeignKernelLineIsAnEvent: two layercheck runs side by side, and a
// third party logs a WARNING in the middle of them. Neither run may pin
// it on a scenario: each reports it once, as a kernel event of the run
// with its time, in its summary and its JSON, and no scenario has a crash
// finding.
//
// The foreign line does not go to the real /dev/kmsg: a WARNING-shaped
// line there would stay in the host's dmesg as a forged kernel bug for
// every log scanner to find. It goes to the file kernlog.ExtraLogEnv
// names, which every Watch of both runs reads beside /dev/kmsg, through
// the same assembler, attribution and rerun as a kernel record: the whole
// path from the log to the report is the real one, only the source of the
// line is the test's. The line has facility 0, as the kernel's own.
func TestForeignKernelLineIsAnEvent(t *testing.T) {
	RequireRoot(t)
	guard, err := kernlog.OpenGuard()
	if err != nil {
		t.Skipf("kernel log: %v", err)
	}
	defer guard.Close()
	logFile := filepath.Join(t.TempDir(), "kmsg")
	if err := os.WriteFile(logFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	marker := fmt.Sprintf("layercheck_foreign_%d", time.Now().UnixNano())
	runs := make([]*sideRun, 2)
	for i := range runs {
		runs[i] = startSideRun(t, logFile)
	}
	for _, r := range runs {
		r.waitMounted(t)
	}
	// Both runs have a scenario mounted, so a Watch of each is open.
	line := fmt.Sprintf("4,%d,%d,-;WARNING: CPU: 1 PID: 999999 at fs/overlayfs/inode.c:1 ovl_%s+0x0/0x1 [overlay]\n",
		1<<40, uptimeMicros(t), marker)
	appendFile(t, logFile, line)
	for _, r := range runs {
		r.check(t, marker)
	}
	if forged, err := guard.Forged(marker); err != nil || len(forged) > 0 {
		t.Errorf("the foreign line reached dmesg: %q %v", forged, err)
	}
}

// sideRun is one layercheck run in the background.
type sideRun struct {
	cmd       *exec.Cmd
	scratch   string
	json      string
	out, errb bytes.Buffer
}

func startSideRun(t *testing.T, logFile string) *sideRun {
	r := &sideRun{scratch: t.TempDir()}
	r.json = filepath.Join(t.TempDir(), "r.json")
	r.cmd = exec.Command(binary, "--depth", "2", "--suite", "whiteout", "-j", "2",
		"--scratch", r.scratch, "--json", r.json, "--quiet")
	r.cmd.Env = append(os.Environ(), kernlog.ExtraLogEnv+"="+logFile)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.errb
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			r.cmd.Process.Signal(os.Interrupt)
			r.cmd.Wait()
		}
	})
	return r
}

// waitMounted waits until the run has a mount beneath its scratch
// directory: a scenario is running, and its kernel Watch is open. The run re-executes itself in a
// private mount namespace, so the mounts are in its child's mountinfo.
func (r *sideRun) waitMounted(t *testing.T) {
	t.Helper()
	pid := r.cmd.Process.Pid
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		// Go forks from any of its threads: each lists its own children.
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		if len(tasks) == 0 {
			t.Fatalf("the run ended before it mounted anything:\n%s\n%s", r.out.String(), r.errb.String())
		}
		kids := []string{fmt.Sprint(pid)}
		for _, task := range tasks {
			b, _ := os.ReadFile(task)
			kids = append(kids, strings.Fields(string(b))...)
		}
		for _, kid := range kids {
			b, _ := os.ReadFile("/proc/" + kid + "/mountinfo")
			for _, l := range strings.Split(string(b), "\n") {
				// A scenario's overlay, not the session's tmpfs or a
				// feature probe's mount: a Watch
				// is open from before its mount to after its unmount.
				if strings.Contains(l, " "+r.scratch+"/") && strings.Contains(l, "/scenarios/s-") && strings.Contains(l, " - overlay ") {
					return
				}
			}
		}
	}
	t.Fatal("the run mounted nothing in two minutes")
}

// check waits for the run and asserts what it made of the foreign line.
func (r *sideRun) check(t *testing.T, marker string) {
	t.Helper()
	err := r.cmd.Wait()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	var rep struct {
		Scenarios []struct {
			Name     string
			Findings []struct{ Kind, Field, Merged string }
		}
		KernelEvents []struct {
			Uptime float64   `json:"uptime_seconds"`
			Time   time.Time `json:"time"`
			Text   string    `json:"text"`
		} `json:"kernel_events"`
	}
	b, err := os.ReadFile(r.json)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, r.out.String(), r.errb.String())
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Scenarios {
		for _, f := range s.Findings {
			if f.Kind == "crash" || strings.Contains(f.Merged, marker) {
				t.Errorf("%s: finding %+v: the foreign line became a scenario's", s.Name, f)
			}
		}
	}
	// The machine is shared: other programs' kernel lines are events too.
	n := 0
	for _, e := range rep.KernelEvents {
		if strings.Contains(e.Text, marker) {
			n++
			if e.Uptime == 0 || e.Time.IsZero() {
				t.Errorf("kernel event without its time: %+v", e)
			}
		}
	}
	if n != 1 {
		t.Errorf("kernel events %+v, want the foreign line once", rep.KernelEvents)
	}
	if n := strings.Count(r.out.String(), marker); n != 1 || !strings.Contains(r.out.String(), "Kernel events during the run: ") {
		t.Errorf("the summary names the foreign line %d times, want once as a kernel event:\n%s", n, r.out.String())
	}
}

func appendFile(t *testing.T, path, s string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// uptimeMicros is now on the kernel log's clock.
func uptimeMicros(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		t.Fatal(err)
	}
	var up float64
	fmt.Sscanf(string(b), "%f", &up)
	return int64(up * 1e6)
}
