package kernlog

import (
	"strconv"
	"strings"
	"time"
)

// Classes of problem lines. The first five are Severe: the kernel found a
// bug in itself. The last two are messages of the filesystems under test,
// which the engine weighs against the scenario's options (many are the
// kernel explaining a refused mount or a feature it turned off).
const (
	ClassWarning   = "warning"   // WARNING: CPU: ... at file:line, "[ cut here ]"
	ClassBug       = "bug"       // BUG: ..., kernel BUG at ..., UBSAN: ...
	ClassOops      = "oops"      // Oops: ..., general protection fault, Kernel panic
	ClassLockdep   = "lockdep"   // lockdep and RCU-lockdep reports
	ClassHung      = "hung"      // INFO: task ... blocked, soft lockup, RCU stall
	ClassOverlayfs = "overlayfs" // "overlayfs: ..." and "overlay: ..."
	ClassFuse      = "fuse"      // "fuse: ..."
)

// Line is one problem found in the kernel log: a record, or a splat of
// several records folded under the record that opens it.
type Line struct {
	Seq uint64 // sequence number of the first record
	// Priority is the log level of the first record, 0 (KERN_EMERG) to 7
	// (KERN_DEBUG). It does not rank problems: a WARN is 4 (pr_warn), and
	// so is the "Oops: " line (KERN_DEFAULT); go by Class.
	Priority int
	// Facility is 0 for a record the kernel logged. A record a process
	// wrote to /dev/kmsg is never 0: the kernel turns facility 0 into 1
	// (LOG_USER), so a test's fake warning cannot pass for a kernel one.
	Facility int
	Time     time.Duration // since boot (CLOCK_MONOTONIC), of the first record
	// Text is the message, then its " KEY=value" dictionary lines, then,
	// for a splat, the records that followed the header (register dump,
	// "Call Trace:", the stack, "---[ end trace ... ]---"), one per line.
	Text  string
	Class string
}

// Severe reports whether the line is the kernel reporting a bug in itself.
func (l Line) Severe() bool { return severe(l.Class) }

// FromKernel reports whether the kernel logged the line, rather than a
// process writing to /dev/kmsg.
func (l Line) FromKernel() bool { return l.Facility == 0 }

func severe(class string) bool {
	switch class {
	case ClassWarning, ClassBug, ClassOops, ClassLockdep, ClassHung:
		return true
	}
	return false
}

// Mentions reports whether the line names path, or a path under it: a
// mount point, a layer, or the directory a scenario keeps all of them in.
// path must be the same string the scenario gave the kernel (the kernel
// prints option strings as given, without resolving symlinks); a trailing
// slash is ignored, and "/" or "" names nothing.
//
// What the kernel prints: overlayfs names a path only in messages about
// its mount options, with the string from the option: "failed to resolve
// '<lowerdir>': -2", "'<dir>' not a directory", "filesystem on '<dir>' not
// supported", "fs on '<layer>' does not support file handles", "failed to
// create directory <workdir>/work", "option \"workdir=<dir>\" is useless".
// Others name the option only ("upperdir is in-use as upperdir/workdir of
// another mount", "workdir and upperdir must be separate subtrees").
// Messages at run time print dentries with %pd2, the last two components
// relative to the layer's own root ("failed to verify index
// (index/00fb...)", "refusing to follow redirect for (a/b)"): a path
// relative to a layer, which this matches when given the same relative
// path but which no absolute path matches. WARNING, BUG and Oops splats
// name source files, functions and the task (PID, Comm), never a scenario's
// path; use PID for those.
func (l Line) Mentions(path string) bool {
	p := strings.TrimRight(path, "/")
	if p == "" {
		return false
	}
	for off := 0; off < len(l.Text); {
		i := strings.Index(l.Text[off:], p)
		if i < 0 {
			return false
		}
		i += off
		if startsPath(l.Text, i) && endsPath(l.Text, i+len(p)) {
			return true
		}
		off = i + 1
	}
	return false
}

// nameByte reports whether c can be part of a file name as the kernel
// prints it next to other words: a match that runs on into one of these
// is a different, longer name ("/tmp/a" in "/tmp/ab" or "/x/tmp/a").
func nameByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("/._-+~@#%", c) >= 0
}

func startsPath(s string, i int) bool { return i == 0 || !nameByte(s[i-1]) }

// endsPath accepts the end of a name, a '/' (a path under it), or a full
// stop that ends the sentence rather than starts a suffix.
func endsPath(s string, j int) bool {
	if j == len(s) || s[j] == '/' || !nameByte(s[j]) {
		return true
	}
	return s[j] == '.' && (j+1 == len(s) || !nameByte(s[j+1]))
}

// PID returns the process the kernel names as the one running when the
// problem happened: "PID: n" of a WARNING or of the "CPU: ... PID: n Comm:"
// line of a splat, the "task name:n" of a hung task report, the "[name:n]"
// of a soft lockup. PIDs are those of the initial PID namespace. ok is
// false when the line names no process, as with overlayfs messages.
func (l Line) PID() (pid int, ok bool) {
	first, _, _ := strings.Cut(l.Text, "\n")
	if rest, found := strings.CutPrefix(first, "INFO: task "); found {
		if end := strings.Index(rest, " blocked"); end >= 0 {
			if c := strings.LastIndexByte(rest[:end], ':'); c >= 0 {
				return leadingInt(rest[c+1 : end])
			}
		}
	}
	if i := strings.Index(first, "stuck for "); i >= 0 {
		if c := strings.LastIndexByte(first, ':'); c > i {
			return leadingInt(first[c+1:])
		}
	}
	if i := strings.Index(l.Text, "PID: "); i >= 0 {
		return leadingInt(l.Text[i+len("PID: "):])
	}
	return 0, false
}

func leadingInt(s string) (int, bool) {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	v, err := strconv.Atoi(s[:n])
	return v, err == nil
}

// lockdepReports are the headlines of kernel/locking/lockdep.c and of
// lockdep_rcu_suspicious, in lower case (they are matched against the
// lowered message), which print them after "WARNING: " (older kernels:
// "[ INFO: ... ]").
var lockdepReports = []string{
	"possible circular locking dependency",
	"inconsistent lock state",
	"possible recursive locking",
	"suspicious rcu usage",
	"possible irq lock inversion dependency",
	"lock order detected", // HARDIRQ-safe -> HARDIRQ-unsafe lock order detected
	"bad unlock balance",
	"bad contention detected",
	"held lock freed",
	"lock held when returning to user space",
	"lock held at task exit",
	"nested lock was not taken",
	"trying to register non-static key",
	"lockdep is turned off",
}

// classify tells the class of a record that can open a problem Line, or ""
// for any other record. Only the start of the message counts: "Speculative
// Return Stack Overflow: WARNING: ..." at boot is not a warning.
func classify(msg string) string {
	switch {
	case strings.Contains(msg, "------------[ cut here ]------------"):
		return ClassWarning
	case strings.HasPrefix(msg, "WARNING: "), strings.HasPrefix(msg, "[ INFO: "):
		if isLockdep(msg) {
			return ClassLockdep
		}
		if strings.HasPrefix(msg, "WARNING: ") {
			return ClassWarning
		}
	case strings.HasPrefix(msg, "INFO: "):
		return classifyInfo(msg)
	case strings.HasPrefix(msg, "DEBUG_LOCKS_WARN_ON("):
		return ClassLockdep
	}
	return classifyRest(msg)
}

func isLockdep(msg string) bool {
	lower := strings.ToLower(msg)
	for _, r := range lockdepReports {
		if strings.Contains(lower, r) {
			return true
		}
	}
	return false
}

// classifyInfo sorts the "INFO: " messages: a task blocked too long, an
// RCU stall, or a lockdep report.
func classifyInfo(msg string) string {
	switch {
	case strings.HasPrefix(msg, "INFO: task ") && strings.Contains(msg, " blocked for more than "):
		return ClassHung
	case strings.Contains(msg, "stall"):
		return ClassHung
	case isLockdep(msg):
		return ClassLockdep
	}
	return ""
}

// classifyRest covers BUG, Oops, lockups and the filesystems' own prefixes.
func classifyRest(msg string) string {
	switch {
	case strings.HasPrefix(msg, "watchdog: BUG: soft lockup"),
		strings.HasPrefix(msg, "BUG: workqueue lockup"),
		strings.HasPrefix(msg, "watchdog: Watchdog detected hard LOCKUP"),
		strings.HasPrefix(msg, "rcu: INFO: ") && strings.Contains(msg, "stall"):
		return ClassHung
	case strings.HasPrefix(msg, "BUG: "), strings.HasPrefix(msg, "kernel BUG at "),
		strings.HasPrefix(msg, "UBSAN: "):
		return ClassBug
	case strings.HasPrefix(msg, "Oops:"), strings.HasPrefix(msg, "Internal error: Oops"),
		strings.HasPrefix(msg, "general protection fault"),
		strings.HasPrefix(msg, "Kernel panic - not syncing"):
		return ClassOops
	case strings.HasPrefix(msg, "overlayfs:"), strings.HasPrefix(msg, "overlay:"):
		// "overlayfs: " is overlayfs's pr_fmt; "overlay: " is the same
		// driver's fs_context errors (invalfc) when mount(2), which has no
		// context log to hold them, made the kernel print them instead:
		// "overlay: Unknown parameter 'bogus'".
		return ClassOverlayfs
	case strings.HasPrefix(msg, "fuse:"):
		return ClassFuse
	}
	return ""
}
