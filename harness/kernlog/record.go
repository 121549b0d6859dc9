package kernlog

import (
	"strconv"
	"strings"
	"time"
)

// record is one /dev/kmsg record, as Documentation/ABI/testing/dev-kmsg
// describes it. Each read(2) returns exactly one:
//
//	pri,seq,ts_usec,flags[,more...];message\n
//	 KEY=value\n
//	 ...
//
// pri is (facility<<3)|level; seq is the record's sequence number, one more
// for each record; ts_usec is the time since boot in microseconds; flags is
// "-", or "c" for a fragment a later record continues (pr_cont). Further
// comma-separated fields may follow and are to be ignored, except that a
// kernel built with CONFIG_PRINTK_CALLER adds "caller=T<pid>" (or
// "C<cpu>" in interrupt context), which tells which task logged the record.
//
// The message is on one line: the kernel writes a byte below ' ', from
// 127 up, or a backslash as \xNN, so a newline inside a message arrives as
// \x0a. The lines after it, each starting with a space, are the record's
// dictionary (SUBSYSTEM=, DEVICE= for a dev_printk), escaped the same way.
type record struct {
	facility int
	level    int
	seq      uint64
	ts       time.Duration
	cont     bool
	caller   string // "" without CONFIG_PRINTK_CALLER
	text     string // unescaped
	props    []string
}

// parseRecord parses what one read(2) of /dev/kmsg returned.
func parseRecord(b []byte) (record, bool) {
	s := string(b)
	semi := strings.IndexByte(s, ';')
	if semi < 0 {
		return record{}, false
	}
	fields := strings.Split(s[:semi], ",")
	if len(fields) < 4 {
		return record{}, false
	}
	pri, err1 := strconv.Atoi(fields[0])
	seq, err2 := strconv.ParseUint(fields[1], 10, 64)
	usec, err3 := strconv.ParseUint(fields[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || pri < 0 {
		return record{}, false
	}
	r := record{
		facility: pri >> 3,
		level:    pri & 7,
		seq:      seq,
		ts:       time.Duration(usec) * time.Microsecond,
		cont:     strings.Contains(fields[3], "c"),
	}
	for _, f := range fields[4:] {
		if c, ok := strings.CutPrefix(f, "caller="); ok {
			r.caller = c
		}
	}
	body := strings.TrimSuffix(s[semi+1:], "\n")
	lines := strings.Split(body, "\n")
	r.text = unescape(lines[0])
	for _, l := range lines[1:] {
		if p, ok := strings.CutPrefix(l, " "); ok && p != "" {
			r.props = append(r.props, unescape(p))
		}
	}
	return r, true
}

// unescape undoes the kernel's \xNN escaping. A literal backslash is itself
// escaped (\x5c), so every backslash starts an escape.
func unescape(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
