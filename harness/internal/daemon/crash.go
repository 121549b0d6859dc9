package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"golang.org/x/sys/unix"
)

// A crash is what the backend did by itself: its daemon exited with a
// status or died of a signal that this package did not send, or a mount or
// unmount did not return in time. An interrupt (Ctrl-C) and a daemon this
// package killed for its own reasons are not crashes.

// unmountHang is an unmount command that did not return in time.
type unmountHang struct{ err error }

func (u *unmountHang) Error() string { return u.err.Error() }
func (u *unmountHang) Unwrap() error { return u.err }

// exitCrash says how the daemon ended, if that was a crash: nil while it
// runs, when it exited 0, or when this package killed it.
func (d *process) exitCrash() *backend.CrashError {
	if d == nil || d.running() || d.waitErr == nil || d.killed.Load() {
		return nil
	}
	st := d.waitErr.Error()
	field := backend.CrashDaemonExit
	if strings.HasPrefix(st, "signal: ") {
		field = backend.CrashSignal
	}
	return &backend.CrashError{Field: field, Status: st, Output: d.outputTail(600)}
}

// crash classifies an unmount: the daemon's own death first (it explains
// a hang that followed), then a watchdog abort at the scenario's deadline,
// then an unmount command that hung.
func (m *Mounted) crash(aborted, unmountErr error) *backend.CrashError {
	if m.d != nil {
		if c := m.d.exitCrash(); c != nil {
			return c
		}
	}
	if errors.Is(aborted, context.DeadlineExceeded) {
		return &backend.CrashError{Field: backend.CrashHang, Status: "no answer by the time limit: aborted the connection"}
	}
	var hang *unmountHang
	if errors.As(unmountErr, &hang) {
		return &backend.CrashError{Field: backend.CrashHang, Status: hang.Error()}
	}
	return nil
}

// mountFailed is the error of a mount command that exited before its
// mount showed: a MountError, and a crash if mountCrash says so.
func (d *process) mountFailed(name string) error {
	st := d.status()
	err := mountCrash(d, &backend.MountError{FS: name, Errno: daemonErrno(st), Kernel: name + ": mount command failed (" + st + ")", Step: "mount"})
	d.close()
	return err
}

// giveUp ends a mount that did not show in time (MountWait, or the
// scenario's deadline): the daemon is killed and whatever it mounted is
// detached. A hang unless the run was interrupted.
func (m *Mounted) giveUp(ctx context.Context) error {
	why := "did not mount within " + MountWait.String()
	if ctx.Err() != nil {
		why = ctx.Err().Error()
	}
	m.d.kill()
	m.forceUnmount()
	st := m.d.status()
	m.d.close()
	err := fmt.Errorf("%s: %s: %s (%s); daemon killed", m.backend, m.target, why, st)
	if errors.Is(ctx.Err(), context.Canceled) {
		return err // interrupted: nobody's fault
	}
	return &backend.CrashError{Field: backend.CrashHang, Status: why, Err: err}
}

// mountCrash wraps the error of a mount command that failed: a command
// killed by a signal crashed; one that exited with a status did so on
// purpose (bad options, no /dev/fuse) unless it blames nothing the
// environment lacks, which the engine weighs against the probe mount that
// worked (backend.CrashMount).
func mountCrash(d *process, err *backend.MountError) error {
	c := d.exitCrash()
	if c == nil {
		return err
	}
	if c.Field == backend.CrashDaemonExit {
		if err.Errno != unix.EINVAL {
			return err
		}
		c.Field = backend.CrashMount
	}
	c.Err = err
	return c
}
