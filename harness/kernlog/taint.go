package kernlog

import (
	"fmt"
	"math/bits"
)

// TaintFlag is one bit of the kernel's taint mask.
type TaintFlag struct {
	Bit     int
	Letter  string // as in "Tainted: G W" of a splat, or "?" for a bit this table does not know
	Meaning string
}

func (f TaintFlag) String() string { return fmt.Sprintf("%s (%s)", f.Letter, f.Meaning) }

// Severe reports whether the bit says the kernel misbehaved at run time
// (a machine check, a bad page, an Oops or BUG, a warning, a soft lockup),
// as opposed to what was loaded into it or how it was built.
func (f TaintFlag) Severe() bool {
	switch f.Letter {
	case "M", "B", "D", "W", "L":
		return true
	}
	return false
}

// taintFlags is the table of Documentation/admin-guide/tainted-kernels.rst
// (kernel/panic.c, taint_flags[]), indexed by bit. Bit 0 prints "G" when
// clear, which is the usual state; only the set letters matter here.
var taintFlags = []struct{ letter, meaning string }{
	0:  {"P", "proprietary module was loaded"},
	1:  {"F", "module was force loaded"},
	2:  {"S", "kernel running on an out of specification system"},
	3:  {"R", "module was force unloaded"},
	4:  {"M", "processor reported a Machine Check Exception (MCE)"},
	5:  {"B", "bad page referenced or some unexpected page flags"},
	6:  {"U", "taint requested by userspace application"},
	7:  {"D", "kernel died recently, i.e. there was an OOPS or BUG"},
	8:  {"A", "ACPI table overridden by user"},
	9:  {"W", "kernel issued warning"},
	10: {"C", "staging driver was loaded"},
	11: {"I", "workaround for bug in platform firmware applied"},
	12: {"O", "externally-built (\"out-of-tree\") module was loaded"},
	13: {"E", "unsigned module was loaded"},
	14: {"L", "soft lockup occurred"},
	15: {"K", "kernel has been live patched"},
	16: {"X", "auxiliary taint, defined for and used by distros"},
	17: {"T", "kernel was built with the struct randomization plugin"},
	18: {"N", "an in-kernel test has been run"},
	19: {"J", "userspace used a mutating debug operation in fwctl"},
}

// parseTaint names the bits set in mask, lowest first. A bit newer than the
// table is still reported, as "?", so that a new kind of taint is not
// silently dropped.
func parseTaint(mask uint64) []TaintFlag {
	var flags []TaintFlag
	for mask != 0 {
		bit := bits.TrailingZeros64(mask)
		mask &^= 1 << bit
		f := TaintFlag{Bit: bit, Letter: "?", Meaning: fmt.Sprintf("unknown taint bit %d", bit)}
		if bit < len(taintFlags) {
			f.Letter, f.Meaning = taintFlags[bit].letter, taintFlags[bit].meaning
		}
		flags = append(flags, f)
	}
	return flags
}
