package kernlog

import (
	"slices"
	"strings"
	"time"
)

// A splat (WARN, BUG, Oops, lockdep, hung task) is printed as many records,
// one per printk: the header, "Modules linked in:", "CPU: ... Comm:",
// registers, "Call Trace:", one record per stack frame, and for a WARN or
// Oops "---[ end trace ... ]---". The assembler folds the records after a
// severe header into its Line, so the stack that says where the bug is
// stays with it.
//
// Records of other tasks may be interleaved with a splat: printk serialises
// records, not reports. A kernel with CONFIG_PRINTK_CALLER names the task of
// each record, and then only records of the header's task are folded in.
// Without it (as on the Debian kernel) the assembler relies on a splat being
// printed in one go: it stops at the end marker, after maxFollow records,
// at a gap of more than maxGap, or at the next problem header.
const (
	maxFollow = 64
	maxGap    = time.Second
)

// assembler turns records, in log order, into problem Lines.
type assembler struct {
	open *splat
	out  []Line
}

// splat is a severe Line still taking the records that follow its header.
type splat struct {
	line    Line
	caller  string
	last    time.Duration
	follow  int
	cutOnly bool // only "[ cut here ]" so far: the next header says what it is
}

func (a *assembler) add(r record) {
	class := classify(r.text)
	if s := a.open; s != nil {
		if s.sameSource(r) && s.continues(r) && s.announces(class) {
			// "[ cut here ]" announces the WARNING: or kernel BUG at line
			// that follows; that one names the class.
			if s.cutOnly {
				s.line.Class, s.cutOnly = class, false
			}
			s.take(r)
			return
		}
		if severe(class) || !s.continues(r) {
			a.closeSplat()
		} else if s.sameSource(r) && class == "" {
			s.take(r)
			if strings.HasPrefix(r.text, "---[ end ") {
				a.closeSplat()
			}
			return
		}
	}
	switch {
	case severe(class):
		a.open = &splat{line: newLine(r, class), caller: r.caller, last: r.ts,
			cutOnly: strings.Contains(r.text, "[ cut here ]")}
	case class != "":
		a.out = append(a.out, newLine(r, class))
	}
}

// announces reports whether a record of class is part of the report the
// splat opened rather than a new one: the header after "[ cut here ]", or
// the "Oops: ..." line the kernel prints a few records after "BUG: unable
// to handle page fault" or "kernel BUG at", before the registers.
func (s *splat) announces(class string) bool {
	return s.cutOnly && severe(class) || s.line.Class == ClassBug && class == ClassOops
}

// sameSource reports whether r can belong to the splat: logged by the same
// side (kernel or a process writing to /dev/kmsg) and, when the kernel
// names callers, by the same task.
func (s *splat) sameSource(r record) bool {
	if r.facility != s.line.Facility {
		return false
	}
	return s.caller == "" || r.caller == "" || r.caller == s.caller
}

// continues reports whether the splat is still open to records at r: not
// too long and not too far back in time. A record from another source
// does not end it.
func (s *splat) continues(r record) bool {
	return s.follow < maxFollow && r.ts-s.last <= maxGap
}

func (s *splat) take(r record) {
	s.line.Text += "\n" + recordText(r)
	s.last = r.ts
	s.follow++
}

func (a *assembler) closeSplat() {
	if a.open != nil {
		a.out = append(a.out, a.open.line)
		a.open = nil
	}
}

// flush returns the Lines, in log order: a splat is appended when it ends,
// after lines interleaved with it, so they are sorted back by Seq.
func (a *assembler) flush() []Line {
	a.closeSplat()
	slices.SortStableFunc(a.out, func(x, y Line) int {
		switch {
		case x.Seq < y.Seq:
			return -1
		case x.Seq > y.Seq:
			return 1
		}
		return 0
	})
	return a.out
}

func newLine(r record, class string) Line {
	return Line{Seq: r.seq, Priority: r.level, Facility: r.facility, Time: r.ts,
		Text: recordText(r), Class: class}
}

// recordText is the message and its dictionary, as dmesg -x prints them.
func recordText(r record) string {
	if len(r.props) == 0 {
		return r.text
	}
	return r.text + "\n " + strings.Join(r.props, "\n ")
}
