// Package openfiles holds the scenarios of descriptors held open while the
// file under them changes: a read-only descriptor opened on a lower file
// before it is copied up, written through another descriptor, chmod'ed,
// truncated, renamed or unlinked (held.go); locks and shared mappings
// across a copy-up, O_TMPFILE linked into a lower directory, a program
// executed while its file is opened for writing, and a write to one name
// of a lower hardlink (across.go); and the open(2) flag matrix, generated:
// every meaningful combination of flags over every kind of target, as
// root and as an unrelated user, with the errno, what was opened and the
// state afterwards compared with the plain copy (matrix.go).
//
// Descriptor ops (fsop.Open, fsop.ReadFD, ...) name their descriptor; the
// merged view and the reference each hold their own, and the engine closes
// them before the snapshot and the unmount.
package openfiles

import (
	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Scenarios returns the suite's scenarios, unexpanded.
func Scenarios() []scenario.Scenario {
	var s []scenario.Scenario
	for _, group := range [][]scenario.Scenario{held(), across(), Matrix()} {
		s = append(s, group...)
	}
	for i := range s {
		s[i].Suite = "openfiles"
	}
	return s
}

// open opens p as root with flags and names the descriptor fd.
func open(p string, flags int, fd string) fsop.Open { return fsop.Open{Path: p, Flags: flags, FD: fd} }

// ro and rw open p read-only and read-write.
func ro(p, fd string) fsop.Open { return open(p, unix.O_RDONLY, fd) }
func rw(p, fd string) fsop.Open { return open(p, unix.O_RDWR, fd) }

// read reads the first 64 bytes of fd.
func read(fd string) fsop.ReadFD { return fsop.ReadFD{FD: fd, Offset: 0, Len: 64} }

// stat is fstat(2) of fd.
func stat(fd string) fsop.FstatFD { return fsop.FstatFD{FD: fd} }
