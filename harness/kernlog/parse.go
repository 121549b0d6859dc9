package kernlog

import "strings"

// ParseRecords turns records as read(2) of /dev/kmsg returns them
// ("pri,seq,ts_usec,flags;message", one per string, in log order) into
// the problem Lines a Watch would report for them: for a saved log, and
// for tests of callers that need a Report without a kernel that warns.
func ParseRecords(records ...string) []Line {
	var asm assembler
	for _, raw := range records {
		if !strings.HasSuffix(raw, "\n") {
			raw += "\n"
		}
		if r, ok := parseRecord([]byte(raw)); ok {
			asm.add(r)
		}
	}
	return asm.flush()
}
