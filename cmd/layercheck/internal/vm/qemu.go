package vm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// qemu is one qemu-system-x86_64 process.
type qemu struct {
	kernel, initrd string
	disks          []string // virtio disks: vda, vdb...
	trace          string   // file receiving the second serial port
	console        string   // file receiving the first (the console)
	memoryMB, cpus int
	tcg            bool // TCG even where /dev/kvm opens
}

// accel is kvm when /dev/kvm opens for this user and is not PVM's, tcg
// otherwise.
func (q *qemu) accel() string {
	if q.tcg {
		return "tcg"
	}
	fd, err := unix.Open("/dev/kvm", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return "tcg"
	}
	unix.Close(fd)
	if pvmOnly("/sys/module") {
		return "tcg"
	}
	return "kvm"
}

// pvmOnly says whether the /dev/kvm of the machine whose modules sysfs
// lists beneath dir is PVM's (kvm_pvm, "Pagetable-based Virtual
// Machine", the KVM of cloud guests without nested virtualization): it
// runs only kernels built as PVM guests, so a distribution's kernel never
// says a word under it. Without kvm_intel and kvm_amd nothing else drives
// /dev/kvm.
func pvmOnly(dir string) bool {
	has := func(m string) bool { _, err := os.Stat(dir + "/" + m); return err == nil }
	return has("kvm_pvm") && !has("kvm_intel") && !has("kvm_amd")
}

// tcgCPU is the CPU model under TCG: all it emulates but ERMS and FSRM.
// With them the guest kernel copies and clears memory with "rep movsb" and
// "rep stosb", which TCG runs one byte per iteration; without them it
// takes its unrolled 8-byte loops. Measured on whiteout at depth 2 on
// Debian's 6.1: 25% less qemu CPU time.
const tcgCPU = "max,-erms,-fsrm"

func (q *qemu) args() []string {
	mem, cpus := q.memoryMB, q.cpus
	if mem <= 0 {
		mem = 2048
	}
	if cpus <= 0 {
		cpus = min(runtime.NumCPU(), 2)
	}
	a := []string{"-nodefaults", "-display", "none", "-no-reboot",
		"-m", strconv.Itoa(mem), "-smp", strconv.Itoa(cpus),
		"-kernel", q.kernel, "-initrd", q.initrd,
		// oops=panic: an oops ends the boot at once, as a crash with its
		// console, instead of leaving a run stuck until the time limit.
		// no_timer_check: on a loaded host a TCG guest's timer interrupt
		// can miss the window the kernel's boot check gives it, and the
		// boot then panics ("IO-APIC + timer doesn't work!"), as seen here.
		"-append", "console=ttyS0 quiet panic=-1 oops=panic no_timer_check",
		"-serial", "stdio", "-serial", "file:" + q.trace}
	if q.accel() == "kvm" {
		a = append(a, "-enable-kvm", "-cpu", "host,-arch-capabilities")
	} else {
		a = append(a, "-cpu", tcgCPU)
	}
	for _, d := range q.disks {
		a = append(a, "-drive", "file="+d+",format=raw,if=virtio,cache=unsafe")
	}
	return a
}

// ending is how the qemu process ended.
type ending struct {
	timedOut  bool
	silent    bool   // killed for printing nothing within the boot limit
	status    string // its exit status, said
	panicLine string // the console's first line telling of a kernel crash
}

// crashMarks are console lines that tell of a kernel crash.
var crashMarks = []string{"Kernel panic", "Oops:", "BUG:", "general protection fault", "Internal error:"}

// run runs qemu until it exits, ctx is cancelled or limit passes (then it
// kills it: this process's own qemu, by PID), relaying the console to w
// without carriage returns and keeping it in q.console.
func (q *qemu) run(ctx context.Context, limit, bootLimit time.Duration, w io.Writer, rewrite func(string) string) (ending, error) {
	var end ending
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		return end, fmt.Errorf("qemu-system-x86_64 not found (Debian: apt-get install qemu-system-x86)")
	}
	log, err := os.Create(q.console)
	if err != nil {
		return end, err
	}
	defer log.Close()
	cmd := exec.Command("qemu-system-x86_64", q.args()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return end, err
	}
	// Its own process group: Ctrl-C reaches this process, which kills
	// qemu; and qemu dies with this process whatever ends it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	runtime.LockOSThread() // Pdeathsig follows the thread that started it
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		return end, fmt.Errorf("starting qemu: %w", err)
	}
	relayed, spoke := make(chan string), make(chan struct{})
	go func() { relayed <- relay(pipe, log, w, spoke, rewrite) }()
	waited := make(chan error, 1)
	go func() { end.panicLine = <-relayed; waited <- cmd.Wait() }()
	timer, boot := after(limit), after(bootLimit)
	for {
		select {
		case <-spoke:
			boot, spoke = nil, nil
			continue
		case err := <-waited:
			end.status = statusOf(err)
			if err != nil && stderr.Len() > 0 && end.panicLine == "" {
				// qemu itself failed (a bad image, a disk it cannot open).
				return end, fmt.Errorf("qemu: %s", strings.TrimSpace(stderr.String()))
			}
			return end, nil
		case <-ctx.Done():
		case <-timer:
			end.timedOut = true
		case <-boot:
			end.silent = true
		}
		break
	}
	_ = cmd.Process.Kill()
	<-waited
	end.status = "killed"
	return end, nil
}

// after is a channel that fires once d has passed (nil, never, for 0).
func after(d time.Duration) <-chan time.Time {
	if d <= 0 {
		return nil
	}
	return time.After(d)
}

// relay copies the console to log and, without carriage returns, to w;
// it returns the first line telling of a kernel crash.
func relay(r io.Reader, log io.Writer, w io.Writer, spoke chan<- struct{}, rewrite func(string) string) string {
	first := ""
	said := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if !said {
			said = true
			close(spoke)
		}
		fmt.Fprintln(log, line)
		if strings.HasSuffix(line, "] reboot: Power down") {
			continue // the guest's own end, at pr_emerg: not the user's news
		}
		if w != nil && rewrite != nil {
			fmt.Fprintln(w, rewrite(line))
		} else if w != nil {
			fmt.Fprintln(w, line)
		}
		if first == "" {
			for _, m := range crashMarks {
				if i := strings.Index(line, m); i >= 0 {
					first = strings.TrimSpace(line[i:])
				}
			}
		}
	}
	_, _ = io.Copy(io.Discard, r)
	return first
}

func statusOf(err error) string {
	if err == nil {
		return "qemu exit 0"
	}
	return "qemu: " + err.Error()
}

// running reads the trace the guest wrote: the scenarios that started and
// did not finish.
func running(trace string) []string {
	b, err := os.ReadFile(trace)
	if err != nil {
		return nil
	}
	var order []string
	open := map[string]bool{}
	for _, l := range strings.Split(strings.ReplaceAll(string(b), "\r", ""), "\n") {
		verb, name, ok := strings.Cut(l, " ")
		switch {
		case !ok:
		case verb == "start":
			if !open[name] {
				order = append(order, name)
			}
			open[name] = true
		case verb == "done":
			delete(open, name)
		}
	}
	var out []string
	for _, n := range order {
		if open[n] {
			out = append(out, n)
		}
	}
	return out
}
