// Package kernlog watches the kernel's health while a scenario runs: the
// kernel log (/dev/kmsg) and the taint mask (/proc/sys/kernel/tainted).
//
// A WARN_ON in overlayfs, a lockdep splat, a BUG or an Oops is the most
// severe thing a run of layercheck can find, and none of it reaches the
// process that caused it: the syscall returns as usual and the only trace
// is in the kernel log and, sometimes, a new taint bit. unionmount-testsuite
// checks the taint after every test for that reason, and kernel testers
// read dmesg first.
//
// Where it sits: the engine opens a Watch when a scenario starts and calls
// Check when it ends (or at any point between, each Check covering what came
// after the previous one). Scenarios run in parallel and share one kernel,
// so every Watch has its own /dev/kmsg file descriptor and sees every record
// logged while it is open, whoever caused it; Line.Mentions and Line.PID
// are what the engine has to attribute a line to the scenario that caused
// it, and the taint mask, being one global set of sticky bits, cannot be
// attributed at all.
//
// kernlog only reads: it never writes to the log or taints the kernel.
// Tests that need a foreign kernel line in a real run give it through
// ExtraLogEnv, never through /dev/kmsg.
package kernlog

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Paths of the two kernel interfaces a Watch reads.
const (
	kmsgPath    = "/dev/kmsg"
	taintedPath = "/proc/sys/kernel/tainted"
)

// maxRecord is the read(2) buffer. /dev/kmsg refuses a buffer smaller than
// the record with EINVAL and stays on that record, so the buffer has to hold
// the longest one: the kernel formats at most 8 KiB (CONSOLE_EXT_LOG_MAX,
// PRINTK_MESSAGE_MAX in newer kernels) per record.
const maxRecord = 16 << 10

// maxReads bounds one Check, so that a flood of messages from elsewhere in
// the system cannot keep it reading forever; what is left stays queued on
// the descriptor for the next Check.
const maxReads = 1 << 16

// Watch reads the kernel log from the moment it was opened, and the taint
// mask. Its methods may be called from several goroutines.
type Watch struct {
	mu    sync.Mutex
	fd    int
	read  func([]byte) (int, error) // unix.Read on fd; replaced in tests
	taint uint64                    // bits already reported or set at Open
	extra *extraLog                 // the ExtraLogEnv file of a test; nil in a real run
}

// Report is what happened in the kernel since Open or the previous Check.
type Report struct {
	// Lines are the records that are problems, in log order (by Seq).
	Lines []Line
	// NewTaint are the taint bits set now that were not set at Open or at
	// the previous Check. Taint bits are sticky and global: a kernel that
	// already carries W shows no new taint for a second warning, and a bit
	// may have been set by another scenario running at the same time.
	NewTaint []TaintFlag
	// Lost is true when records were overwritten in the kernel's ring
	// buffer before this Watch read them (read(2) returned EPIPE): a problem
	// may have gone unseen, so the report is not proof of a clean kernel.
	Lost bool
}

// Severe reports whether the report holds a severe line or a new taint bit
// that means the kernel misbehaved (see TaintFlag.Severe).
func (r Report) Severe() bool {
	return slices.ContainsFunc(r.Lines, Line.Severe) ||
		slices.ContainsFunc(r.NewTaint, TaintFlag.Severe)
}

// Open starts a Watch at the current end of the kernel log: records logged
// before it are never returned.
//
// Reading the log needs CAP_SYSLOG when kernel.dmesg_restrict is 1, as on
// Debian; root has it. A caller that cannot open the log should run without
// kernel health checks rather than fail the scenario.
func Open() (*Watch, error) {
	fd, err := openAtEnd()
	if err != nil {
		return nil, err
	}
	// The log position is taken before the taint: a warning that lands in
	// between is then seen as a line (which says what and where) though its
	// W bit is counted as already set; the other order would keep the bit
	// and lose the line.
	taint, err := readTaint()
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	w := &Watch{fd: fd, taint: taint, extra: openExtraLog()}
	w.read = func(b []byte) (int, error) { return unix.Read(fd, b) }
	return w, nil
}

// Close releases the log descriptor. Closing twice is harmless.
func (w *Watch) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fd < 0 {
		return nil
	}
	err := unix.Close(w.fd)
	w.fd = -1
	w.extra.close()
	return err
}

// errClosed is Check's answer after Close.
var errClosed = errors.New("kernlog: watch is closed")

// Check returns what happened since Open or the previous Check: every log
// record that is a problem (Line.Class is set), and the new taint bits.
//
// A splat is complete when Check runs after the syscall that caused it has
// returned: the kernel stores every line of a WARN, BUG or lockdep report in
// the log before the faulting task goes on. One raised by asynchronous work
// (a workqueue, RCU) may still be printing; its later records then come with
// the next Check and, no longer following their header, are dropped unless
// they are problems themselves. The header, which carries the class, is
// never lost that way.
//
// On an error Check still returns what it read before the error.
func (w *Watch) Check() (Report, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fd < 0 {
		return Report{}, errClosed
	}
	var rep Report
	var asm assembler
	lost, err := drain(w.read, asm.add)
	w.extra.drain(asm.add)
	rep.Lost = lost
	rep.Lines = asm.flush()
	if err != nil {
		return rep, &os.PathError{Op: "read", Path: kmsgPath, Err: err}
	}
	taint, err := readTaint()
	if err != nil {
		return rep, err
	}
	rep.NewTaint = w.taintSince(taint)
	return rep, nil
}

// taintSince returns the bits of now not reported before, and remembers
// them, so that each new bit is reported by one Check only.
func (w *Watch) taintSince(now uint64) []TaintFlag {
	added := now &^ w.taint
	w.taint |= now
	return parseTaint(added)
}

// drain hands every record readable now to add, and tells whether records
// were lost on the way.
func drain(read func([]byte) (int, error), add func(record)) (lost bool, err error) {
	buf := make([]byte, maxRecord)
	for range maxReads {
		n, err := read(buf)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return lost, nil
		case err == unix.EPIPE:
			// The records after the last one read were overwritten; the
			// kernel has moved this descriptor to the oldest record still
			// kept, so reading on continues from there.
			lost = true
			continue
		case err != nil:
			return lost, err
		case n <= 0:
			return lost, nil
		}
		if r, ok := parseRecord(buf[:n]); ok {
			add(r)
		}
	}
	return lost, nil
}

// readTaint reads the kernel's taint mask: a decimal number, one bit per
// flag of Documentation/admin-guide/tainted-kernels.rst.
func readTaint() (uint64, error) {
	b, err := os.ReadFile(taintedPath)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("kernlog: %s: %w", taintedPath, err)
	}
	return v, nil
}

// openAtEnd opens the kernel log after its newest record. O_NONBLOCK:
// read(2) returns EAGAIN at the end of the log instead of waiting for the
// next record, which is how a reader knows it is done; SEEK_END puts the
// descriptor after the newest record (SEEK_DATA would be after the last
// "dmesg -c", SEEK_SET the oldest one kept).
func openAtEnd() (int, error) {
	fd, err := unix.Open(kmsgPath, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: kmsgPath, Err: err}
	}
	if _, err := unix.Seek(fd, 0, unix.SEEK_END); err != nil {
		unix.Close(fd)
		return -1, &os.PathError{Op: "seek", Path: kmsgPath, Err: err}
	}
	return fd, nil
}
