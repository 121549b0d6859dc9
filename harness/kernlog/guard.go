package kernlog

import (
	"os"
	"regexp"
	"strings"

	"golang.org/x/sys/unix"
)

// A test suite must not forge kernel warnings in the host's log: xfstests'
// dmesg check, KernelCI and every log scanner read a "WARNING:" line in
// dmesg as a kernel bug on that machine, long after the test ran. Guard is
// how a test proves it wrote none: it reads the log from the moment it was
// opened, as a scanner would, and Forged returns the records that a scanner
// would flag and that carry one of the test's own marker strings (every
// line a test writes to /dev/kmsg carries one, so a line some other program
// wrote meanwhile is not blamed on the test).

// scannerShaped matches what log scanners flag: the patterns of xfstests'
// _check_dmesg (common/rc) and of the splat parts that follow them.
var scannerShaped = regexp.MustCompile(`kernel BUG at|WARNING:|\bBUG:|Oops|general protection|` +
	`INFO: (possible|suspicious|task)|Call Trace|\[ cut here \]|---\[ end trace|UBSAN:|Kernel panic|soft lockup|hard LOCKUP|rcu_sched detected stall`)

// ScannerShaped reports whether a log line would be read as a kernel
// problem by a dmesg scanner. Tests call it before writing to /dev/kmsg.
func ScannerShaped(text string) bool { return scannerShaped.MatchString(text) }

// Guard reads the kernel log from the moment OpenGuard returned.
type Guard struct{ fd int }

// OpenGuard starts a Guard at the current end of the kernel log.
func OpenGuard() (*Guard, error) {
	fd, err := openAtEnd() // kernlog.go
	if err != nil {
		return nil, err
	}
	return &Guard{fd: fd}, nil
}

// Forged returns, and consumes, the records logged since OpenGuard (or the
// previous Forged) that a scanner would flag and that hold one of markers.
// It closes nothing: call Close when done.
func (g *Guard) Forged(markers ...string) ([]string, error) {
	var out []string
	_, err := drain(func(b []byte) (int, error) { return unix.Read(g.fd, b) }, func(r record) {
		out = append(out, forged(r, markers)...)
	})
	if err != nil {
		return out, &os.PathError{Op: "read", Path: kmsgPath, Err: err}
	}
	return out, nil
}

// forged returns r's text when it is scanner-shaped and carries a marker.
func forged(r record, markers []string) []string {
	text := recordText(r)
	if !ScannerShaped(text) {
		return nil
	}
	for _, m := range markers {
		if m != "" && strings.Contains(text, m) {
			return []string{text}
		}
	}
	return nil
}

// Close releases the guard's descriptor.
func (g *Guard) Close() error { return unix.Close(g.fd) }
