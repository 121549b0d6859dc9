package fsop

import (
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// TestExecAfterCloseUnderForks: a program closed for writing runs at once,
// however many children other goroutines fork meanwhile (each holds a
// copy of every descriptor until its exec): Close waits for the forks in
// flight (waitForks), so the exec after it never meets ETXTBSY.
func TestExecAfterCloseUnderForks(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("WriteProgram writes an x86-64 program")
	}
	tree, err := OpenTree(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if out := Apply(tree, WriteProgram{Path: "seven", Mode: 0o755, Exit: 7}); out != OK {
		t.Fatalf("write-program: %s", out)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 2 * runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				exec.Command("/bin/true").Run()
			}
		}()
	}
	defer func() { stop.Store(true); wg.Wait() }()
	for i := range 100 {
		if out := Apply(tree, Open{Path: "seven", Flags: unix.O_WRONLY, FD: "w"}); out != OK {
			t.Fatalf("open: %s", out)
		}
		if out := Apply(tree, Exec{Path: "seven"}); out != "ETXTBSY" {
			t.Fatalf("try %d: exec while open for writing: %s, want ETXTBSY", i, out)
		}
		Apply(tree, Close{FD: "w"})
		if out := Apply(tree, Exec{Path: "seven"}); out != "exit 7" {
			t.Fatalf("try %d: exec after the close: %s, want exit 7", i, out)
		}
	}
}
