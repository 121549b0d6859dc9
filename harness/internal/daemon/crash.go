package daemon

import (
	"context"
	"errors"
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
