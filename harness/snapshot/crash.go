package snapshot

import "fmt"

// KindCrash is the backend failing by itself while a scenario ran: its
// daemon exited or was killed by a signal while serving (field
// "daemon-exit", "signal"), an op, mount or unmount hung past the time
// limit ("hang"), an op failed with EIO, ENOTCONN or ECONNABORTED where the
// reference succeeded ("eio"), its mount command failed on a stack like
// one it mounted before ("mount"), or the kernel logged a warning, BUG,
// Oops or lockdep report or set a taint bit during the scenario
// ("warning", "taint"). Path and Op name the op that was running, if one
// was; Merged says what happened (exit status, the daemon's last output,
// the kernel's lines); Reference what should have (the op's outcome on the
// plain copy).
const KindCrash Kind = "crash"

// SeverityCrash ranks crash findings above every other: a backend that
// dies or a kernel that warns loses whatever a program had in flight.
const SeverityCrash Severity = "crash"

// crashString says a crash finding in plain words.
func crashString(f Finding, where string) string {
	what := f.Path
	if f.Op != "" {
		what = fmt.Sprintf("%s: during `%s` (reference: %s)", f.Path, f.Op, f.Reference)
	}
	if what == "" {
		what = "(no op running)"
	}
	return fmt.Sprintf("%s: CRASH (%s): %s%s", what, f.Field, f.Merged, where)
}
