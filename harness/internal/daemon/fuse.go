package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"golang.org/x/sys/unix"
)

// Timeouts of daemon-backed mounts.
var (
	// MountWait is how long a mount command may take to make its mount
	// live.
	MountWait = 30 * time.Second
	// UnmountWait is how long an unmount command may take, and then how
	// long the daemon may take to exit after its mount is gone, before it
	// is killed.
	UnmountWait = 5 * time.Second
	// StarterSettle is how long a shell-started mount command may take
	// to exit after its mount shows, to count as one that mounts and
	// returns rather than a foreground daemon.
	StarterSettle = 150 * time.Millisecond
)

// Mounted is a mount served by a process: a FUSE daemon started in the
// foreground, or one that daemonized and was adopted. A watchdog aborts
// the mount when the scenario's context ends (a timeout, Ctrl-C): it
// aborts the FUSE connection and kills the daemon, so that every syscall
// blocked on the mount returns (ENOTCONN) and the run goes on.
type Mounted struct {
	backend string
	target  string
	dev     string   // major:minor of the mount, from mountinfo
	d       *process // nil for a mount no process serves (a kernel filesystem)
	unmount []string // the unmount command; nil: umount(2)

	stopWatch chan struct{}
	watchDone chan struct{}
	mu        sync.Mutex
	aborted   error // why the watchdog aborted the mount
	unmounted bool
}

// StartMount runs argv (a FUSE program in the foreground, or a
// command that mounts and returns) and waits until target is a mount
// point. If argv exits with status 0 first, the program daemonized (or is
// a kernel filesystem): the daemon, if any, is found among this process's
// adopted children (see adoptOrphans).
func StartMount(ctx context.Context, name string, argv, unmount []string, target string) (*Mounted, error) {
	exclusive := !foregroundOnly(argv)
	if exclusive {
		// Orphans are told apart by when they appear: one at a time.
		adoptMu.Lock()
		defer adoptMu.Unlock()
		becomeSubreaper()
	}
	before := registry.pids()
	d, err := startDaemon(name, argv)
	if err != nil {
		return nil, err
	}
	m := &Mounted{backend: name, target: target, d: d, unmount: unmount}
	if err := m.waitForMount(ctx); err != nil {
		return nil, err
	}
	if exclusive && d.running() {
		// A command that mounts and returns (mount(8), a FUSE program
		// that forks into the background) exits right after its mount
		// shows; a foreground daemon does not. Tell them apart.
		d.wait(StarterSettle)
	}
	if !d.running() && d.waitErr == nil {
		// The starter is gone: adopt the daemon it left, if any.
		out := d.out
		d.out = nil
		d.close()
		m.d = nil
		if pid := adoptOrphans(before); pid > 0 {
			m.d = adoptDaemon(name, pid, out)
		} else {
			out.Close()
		}
	}
	m.stopWatch, m.watchDone = make(chan struct{}), make(chan struct{})
	go m.watch(ctx)
	return m, nil
}

// waitForMount waits until m's target shows in the mount table, the
// starter fails or exits without a mount, or ctx or MountWait runs out.
func (m *Mounted) waitForMount(ctx context.Context) error {
	d, name, target := m.d, m.backend, m.target
	deadline := time.Now().Add(MountWait)
	delay := time.Millisecond
	for {
		if mi, ok := mounts.Find(target); ok {
			m.dev = mi.Dev
			return nil
		}
		if !d.running() {
			if d.waitErr != nil {
				return d.mountFailed(name) // crash.go
			}
			// Exited 0: a daemonizing program; its mount must be there now.
			if mi, ok := mounts.Find(target); ok {
				m.dev = mi.Dev
				return nil
			}
			d.close()
			return fmt.Errorf("%s: the mount command exited 0 but %s is not mounted (%s)", name, target, d.status())
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return m.giveUp(ctx) // crash.go
		}
		time.Sleep(delay)
		delay = min(2*delay, 20*time.Millisecond)
	}
}

// daemonErrno classifies a failed mount command by what it wrote: no
// access to /dev/fuse or to mount is EPERM (the environment), anything
// else EINVAL (the options or the command line).
func daemonErrno(status string) unix.Errno {
	for _, s := range []string{"/dev/fuse", "ermission denied", "not permitted", "fuse: device not found", "executable file not found"} {
		if strings.Contains(status, s) {
			return unix.EPERM
		}
	}
	return unix.EINVAL
}

// foregroundOnly reports whether argv is a program run by this package in
// the foreground (no shell that could daemonize).
func foregroundOnly(argv []string) bool {
	return len(argv) > 0 && filepath.Base(argv[0]) != "sh"
}

// watch aborts the mount when ctx ends before Unmount.
func (m *Mounted) watch(ctx context.Context) {
	defer close(m.watchDone)
	select {
	case <-m.stopWatch:
	case <-ctx.Done():
		m.mu.Lock()
		m.aborted = ctx.Err()
		m.mu.Unlock()
		m.abort()
	}
}

// abort makes every syscall blocked on the mount return: it aborts the
// FUSE connection through fusectl, then kills the daemon (which closes
// /dev/fuse and aborts the connection too).
func (m *Mounted) abort() {
	abortFuseConnection(m.dev)
	if m.d != nil {
		m.d.kill()
	}
}

// Unmount implements Mount: the unmount command, then the daemon gets
// UnmountWait to exit before it is killed; whatever is still mounted is
// detached. It reports every irregularity (a daemon that died during the
// scenario, that did not exit, an abort by timeout) as an error, after
// cleaning up.
func (m *Mounted) Unmount() error {
	m.mu.Lock()
	if m.unmounted {
		m.mu.Unlock()
		return nil
	}
	m.unmounted = true
	m.mu.Unlock()
	close(m.stopWatch)
	<-m.watchDone
	var problems []string
	m.mu.Lock()
	aborted := m.aborted
	m.mu.Unlock()
	if aborted != nil {
		problems = append(problems, fmt.Sprintf("aborted the mount and killed the daemon: %v", aborted))
	}
	diedServing := m.d != nil && !m.d.running() && aborted == nil && m.d.waitErr != nil
	if diedServing {
		problems = append(problems, "the daemon exited while mounted ("+m.d.status()+")")
	}
	// A daemon that exited 0 is a starter that took longer than
	// StarterSettle; its daemon, if any, is still served by the unmount.
	var unmountErr error
	if _, ok := mounts.Find(m.target); ok {
		if unmountErr = m.runUnmount(); unmountErr != nil {
			problems = append(problems, unmountErr.Error())
		}
	}
	if m.d != nil && !m.d.wait(UnmountWait) {
		problems = append(problems, fmt.Sprintf("the daemon (pid %d) was still running %s after unmount: killed", m.d.pid, UnmountWait))
		m.d.kill()
	}
	crash := m.crash(aborted, unmountErr)
	if crash != nil && !diedServing && crash.Field != backend.CrashHang {
		problems = append(problems, "the daemon exited ("+m.d.status()+")")
	}
	if m.forceUnmount() {
		problems = append(problems, "still mounted after unmount: detached")
	}
	if m.d != nil {
		m.d.close()
	}
	if len(problems) > 0 {
		err := fmt.Errorf("%s at %s: %s", m.backend, m.target, strings.Join(problems, "; "))
		if crash != nil {
			crash.Err = err
			return crash
		}
		return err
	}
	return nil
}

// runUnmount runs the unmount command (or umount(2)) with a time limit.
func (m *Mounted) runUnmount() error {
	if m.unmount == nil {
		return mounts.Detach(m.target)
	}
	ctx, cancel := context.WithTimeout(context.Background(), UnmountWait)
	defer cancel()
	var out []byte
	var err error
	for i := 0; ; i++ {
		cmd := exec.CommandContext(ctx, m.unmount[0], m.unmount[1:]...)
		out, err = cmd.CombinedOutput()
		// Busy: a descriptor just closed, or a process forked by another
		// scenario that has not reached exec yet, can hold the mount for
		// a moment. Retry, as unmountPath does for the kernel's.
		if err == nil || ctx.Err() != nil || i >= 40 || !strings.Contains(string(out), "busy") {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if err != nil {
		if ctx.Err() != nil {
			// The unmount hangs on the daemon: abort and go on.
			m.abort()
			return &unmountHang{fmt.Errorf("`%s` did not return within %s: aborted the connection", strings.Join(m.unmount, " "), UnmountWait)}
		}
		if _, still := mounts.Find(m.target); still {
			msg := fmt.Sprintf("`%s`: %v: %s", strings.Join(m.unmount, " "), err, strings.TrimSpace(string(out)))
			if uerr := mounts.Detach(m.target); uerr != nil {
				return fmt.Errorf("%s; umount(2): %v", msg, uerr)
			}
			// umount(2) did what the command did not: say so, no error.
		}
	}
	return nil
}

// forceUnmount detaches whatever is still mounted at target, aborting a
// FUSE connection first so the detach cannot leave a hung mount behind.
// It reports whether anything was left.
func (m *Mounted) forceUnmount() bool {
	left := false
	for i := 0; i < 8; i++ {
		mi, ok := mounts.Find(m.target)
		if !ok {
			break
		}
		left = true
		if strings.HasPrefix(mi.FSType, "fuse") {
			abortFuseConnection(mi.Dev)
		}
		if unix.Unmount(m.target, unix.UMOUNT_NOFOLLOW) != nil {
			unix.Unmount(m.target, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
		}
	}
	return left
}

// fusectlDir is where the fusectl filesystem shows FUSE connections.
const fusectlDir = "/sys/fs/fuse/connections"

var fusectlOnce sync.Once

// abortFuseConnection writes to /sys/fs/fuse/connections/N/abort for the
// connection of the mount with device dev ("0:N"). In the run's private
// mount namespace it mounts fusectl there first if it is not.
func abortFuseConnection(dev string) bool {
	major, minor, ok := strings.Cut(dev, ":")
	if !ok || major != "0" {
		return false
	}
	if _, err := strconv.Atoi(minor); err != nil {
		return false
	}
	abort := filepath.Join(fusectlDir, minor, "abort")
	if _, err := os.Stat(abort); errors.Is(err, os.ErrNotExist) && mounts.InPrivateMountNamespace() {
		fusectlOnce.Do(func() { unix.Mount("fusectl", fusectlDir, "fusectl", 0, "") })
	}
	return os.WriteFile(abort, []byte("1"), 0o200) == nil
}

// Orphan adoption, for mount commands that daemonize.
var (
	adoptMu       sync.Mutex
	subreaperOnce sync.Once
)

// becomeSubreaper makes this process the parent of orphans of its
// descendants (PR_SET_CHILD_SUBREAPER), so that a daemon that forks away
// from its starter can still be killed by PID and reaped here.
func becomeSubreaper() {
	subreaperOnce.Do(func() { unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) })
}

// adoptOrphans finds the child of this process that a daemonizing mount
// command left: a child this package did not start, not known before,
// holding /dev/fuse open. It returns 0 if there is none (a kernel
// filesystem, or a daemon that is not ours).
func adoptOrphans(known map[int]bool) int {
	self := os.Getpid()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || known[pid] || registry.pids()[pid] {
			continue
		}
		if ppidOf(pid) != self || !HoldsFuseDevice(pid) {
			continue
		}
		return pid
	}
	return 0
}

func ppidOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return -1
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

func HoldsFuseDevice(pid int) bool {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && l == "/dev/fuse" {
			return true
		}
	}
	return false
}

// PID is the daemon's process ID, 0 for a mount no process serves (a
// kernel filesystem mounted by a command that returned).
func (m *Mounted) PID() int {
	if m.d == nil {
		return 0
	}
	return m.d.pid
}

// Running reports whether the daemon still runs.
func (m *Mounted) Running() bool { return m.d != nil && m.d.running() }

// WaitExit waits up to timeout for the daemon to exit and reports whether
// it did.
func (m *Mounted) WaitExit(timeout time.Duration) bool { return m.d == nil || m.d.wait(timeout) }
