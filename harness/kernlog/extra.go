package kernlog

import (
	"bytes"
	"io"
	"os"
)

// ExtraLogEnv names a file that every Watch reads as well as /dev/kmsg,
// in /dev/kmsg's record format, one record a line ("pri,seq,ts_usec,-;
// message"). It is for tests only: to prove end to end how a run
// attributes a kernel line it did not cause (a foreign WARNING written in
// the middle of a run, beside a second run), a test has to make such a
// line appear, and writing it to the real /dev/kmsg would forge a kernel
// warning in the host's dmesg, where every log scanner reads it as a bug
// of that kernel. A line in this file reaches the run through the same
// Watch, assembler and attribution as a kernel record, and nowhere else.
// Each Watch reads what is appended to the file after it was opened.
const ExtraLogEnv = "LAYERCHECK_TEST_KMSG_FILE"

// extraLog is a Watch's reader of the ExtraLogEnv file.
type extraLog struct {
	f       *os.File
	partial []byte // a line not yet ended by its newline
}

// openExtraLog opens the file named by ExtraLogEnv at its end, or returns
// nil when the variable is unset or the file cannot be opened.
func openExtraLog() *extraLog {
	path := os.Getenv(ExtraLogEnv)
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil
	}
	return &extraLog{f: f}
}

// drain hands every complete record appended since the last call to add.
func (e *extraLog) drain(add func(record)) {
	if e == nil {
		return
	}
	b, _ := io.ReadAll(e.f)
	e.partial = append(e.partial, b...)
	for {
		i := bytes.IndexByte(e.partial, '\n')
		if i < 0 {
			return
		}
		if r, ok := parseRecord(e.partial[:i+1]); ok {
			add(r)
		}
		e.partial = e.partial[i+1:]
	}
}

func (e *extraLog) close() {
	if e != nil {
		e.f.Close()
	}
}
