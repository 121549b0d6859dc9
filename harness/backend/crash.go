package backend

import (
	"strings"
)

// Crash fields: how a backend failed by itself. The engine turns a
// CrashError into a finding of kind crash with one of these as its field.
const (
	CrashDaemonExit = "daemon-exit" // the daemon exited with a status while serving
	CrashSignal     = "signal"      // the daemon was killed by a signal (an assertion, a segfault)
	CrashHang       = "hang"        // an op, a mount or an unmount did not return in time
	CrashMount      = "mount"       // the mount command failed on a stack like one it mounted before
)

// CrashError is the backend failing by itself rather than the harness
// failing to run it: the process serving a mount died while serving, or a
// mount or unmount hung past its time limit. Mount implementations return
// it (wrapping the error they would otherwise return, such as a
// MountError) only for outcomes they can attribute to the backend; what
// the harness did wrong stays a plain error.
type CrashError struct {
	Field  string // CrashDaemonExit, CrashSignal, CrashHang, CrashMount
	Status string // "exit status 1", "signal: aborted", "no answer within 2m0s"
	Output string // the last lines the daemon wrote, "" if none
	Err    error  // the error it stands for, if any
}

func (e *CrashError) Error() string {
	var b strings.Builder
	b.WriteString("backend crash (" + e.Field + "): " + e.Status)
	if e.Output != "" {
		b.WriteString("; output: " + e.Output)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *CrashError) Unwrap() error { return e.Err }
