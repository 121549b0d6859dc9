package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// process is a process that serves a mount (a FUSE daemon), started by the
// harness and owned by it until it is reaped. Every daemon is:
//
//   - started from one OS thread that never exits, with PDEATHSIG SIGKILL,
//     so that it dies with the run even after a SIGKILL of the run;
//   - in its own process group, so that a shell wrapper and what it starts
//     are signalled together;
//   - recorded in the run's daemon file (see daemonRegistry) with its start
//     time and command line, so that `layercheck cleanup` can kill exactly
//     it, and nothing that reused its PID, after a SIGKILL of the run;
//   - reaped: a goroutine waits for it, and kill waits for that.
type process struct {
	name    string
	cmd     *exec.Cmd // nil for an adopted daemon (one that daemonized itself)
	pid     int
	pgid    int // 0 for an adopted daemon
	out     *os.File
	exited  chan struct{}
	waitErr error
	killed  atomic.Bool // kill sent it SIGKILL: its death is no crash
}

// spawner starts processes from a locked OS thread that lives as long as
// the process: PDEATHSIG fires when the *thread* that forked a child exits,
// and Go may retire other threads.
var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func spawn(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: this thread stays
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd, done}
	return <-done
}

// startDaemon starts argv in the foreground, its output in an unlinked
// file (a pipe would keep exec's Wait waiting on any grandchild that holds
// it), and registers it.
func startDaemon(name string, argv []string) (*process, error) {
	out, err := os.CreateTemp("", "layercheck-daemon-")
	if err != nil {
		return nil, err
	}
	os.Remove(out.Name())
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := spawn(cmd); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	d := &process{name: name, cmd: cmd, pid: cmd.Process.Pid, pgid: cmd.Process.Pid, out: out, exited: make(chan struct{})}
	registry.add(d.pid)
	go func() {
		d.waitErr = cmd.Wait()
		registry.remove(d.pid)
		close(d.exited)
	}()
	return d, nil
}

// adoptDaemon takes over a daemon that left its starter (a FUSE program
// that forks into the background): this process is a child subreaper, so
// the orphan is its child and can be reaped here.
func adoptDaemon(name string, pid int, out *os.File) *process {
	d := &process{name: name, pid: pid, out: out, exited: make(chan struct{})}
	registry.add(pid)
	go func() {
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(pid, &ws, 0, nil)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				d.waitErr = err
			} else if ws.Signaled() {
				d.waitErr = fmt.Errorf("signal: %v", ws.Signal())
			} else if ws.ExitStatus() != 0 {
				d.waitErr = fmt.Errorf("exit status %d", ws.ExitStatus())
			}
			break
		}
		registry.remove(pid)
		close(d.exited)
	}()
	return d
}

// running reports whether the daemon has not exited yet.
func (d *process) running() bool {
	select {
	case <-d.exited:
		return false
	default:
		return true
	}
}

// wait waits up to timeout for the daemon to exit by itself.
func (d *process) wait(timeout time.Duration) bool {
	select {
	case <-d.exited:
		return true
	case <-time.After(timeout):
		return false
	}
}

// kill sends SIGKILL to the daemon (and its process group) and waits until
// it is reaped. SIGKILL also ends a stopped (SIGSTOP) process.
func (d *process) kill() {
	if !d.running() {
		return
	}
	d.killed.Store(true)
	if d.pgid > 0 {
		unix.Kill(-d.pgid, unix.SIGKILL)
	}
	if d.cmd != nil {
		d.cmd.Process.Signal(syscall.SIGKILL) // no-op once reaped: never a reused PID
	} else {
		unix.Kill(d.pid, unix.SIGKILL) // our child until we reap it: not reused before
	}
	<-d.exited
}

// status says how the daemon ended, with the tail of its output.
func (d *process) status() string {
	st := "running"
	if !d.running() {
		st = "exited"
		if d.waitErr != nil {
			st = "exited: " + d.waitErr.Error()
		}
	}
	if tail := d.outputTail(600); tail != "" {
		st += "; output: " + tail
	}
	return st
}

// outputTail is the end of what the daemon wrote, on one line.
func (d *process) outputTail(n int64) string {
	if d.out == nil {
		return ""
	}
	fi, err := d.out.Stat()
	if err != nil || fi.Size() == 0 {
		return ""
	}
	off := max(fi.Size()-n, 0)
	buf := make([]byte, fi.Size()-off)
	nr, _ := d.out.ReadAt(buf, off)
	s := strings.Join(strings.Fields(string(bytes.ToValidUTF8(buf[:nr], nil))), " ")
	return s
}

func (d *process) close() {
	if d.out != nil {
		d.out.Close()
	}
}

// daemonRegistry is the run's record of live daemons: a file beside the
// run directory (not inside its tmpfs, which the host cannot see), one
// line "PID STARTTIME CMDLINE" per daemon, CMDLINE with NULs as spaces. A
// killed run leaves it behind for `layercheck cleanup` (Cleanup).
type daemonRegistry struct {
	mu   sync.Mutex
	path string
	live map[int]string // pid -> line
}

var registry = &daemonRegistry{live: map[int]string{}}

// RecordSuffix names a run's daemon record beside its directory:
// /var/tmp/layercheck/run-PID.daemons.
const RecordSuffix = ".daemons"

// SetRecordFile makes the registry write to path ("" stops recording).
func SetRecordFile(path string) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.path = path
	registry.writeLocked()
}

func (r *daemonRegistry) add(pid int) {
	start, cmdline := ProcIdentity(pid)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live[pid] = fmt.Sprintf("%d %s %s", pid, start, cmdline)
	r.writeLocked()
}

func (r *daemonRegistry) remove(pid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.live, pid)
	r.writeLocked()
}

func (r *daemonRegistry) pids() map[int]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[int]bool{}
	for p := range r.live {
		out[p] = true
	}
	return out
}

func (r *daemonRegistry) writeLocked() {
	if r.path == "" {
		return
	}
	var b strings.Builder
	for _, l := range r.live {
		b.WriteString(l + "\n")
	}
	tmp := r.path + ".tmp"
	if os.WriteFile(tmp, []byte(b.String()), 0o644) == nil {
		os.Rename(tmp, r.path)
	}
}

// ProcIdentity is what tells a process from a later one with its PID: the
// start time (field 22 of /proc/PID/stat, in clock ticks since boot) and
// the command line.
func ProcIdentity(pid int) (start, cmdline string) {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			f := strings.Fields(s[i+1:])
			if len(f) > 19 {
				start = f[19] // field 22 overall; fields after ")" start at 3
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil {
		cmdline = strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	}
	if start == "" {
		start = "?"
	}
	return start, cmdline
}

// KillRecorded kills the daemons recorded in dead runs' daemon files
// beneath base: only a process whose PID, start time and command line all
// match the record, so a PID reused since is never touched. It returns
// what it killed as "PID CMDLINE" and removes the files.
func KillRecorded(base string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(base, "run-*"+RecordSuffix))
	if err != nil {
		return nil, err
	}
	// A rootless run's child records its daemons inside its parent's run
	// directory, the one the unprivileged child may write to.
	nested, _ := filepath.Glob(filepath.Join(base, "run-*", "run-*"+RecordSuffix))
	files = append(files, nested...)
	var killed []string
	for _, f := range files {
		owner, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "run-"), RecordSuffix))
		if err == nil && owner != os.Getpid() && Alive(owner) {
			continue // a live run: its daemons are its own
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return killed, err
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			fields := strings.SplitN(line, " ", 3)
			if len(fields) < 3 {
				continue
			}
			pid, err := strconv.Atoi(fields[0])
			if err != nil || pid <= 1 {
				continue
			}
			start, cmdline := ProcIdentity(pid)
			if start != fields[1] || cmdline != fields[2] || cmdline == "" {
				continue // gone, or another process now
			}
			if err := unix.Kill(pid, unix.SIGKILL); err == nil {
				killed = append(killed, fmt.Sprintf("%d %s", pid, cmdline))
				for i := 0; i < 100 && Alive(pid); i++ {
					time.Sleep(10 * time.Millisecond)
				}
			}
		}
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return killed, err
		}
	}
	return killed, nil
}

// Recorded reports whether pid is in this run's daemon record, the file
// `layercheck cleanup` reads after a SIGKILL.
func Recorded(pid int) bool { return registry.pids()[pid] }
