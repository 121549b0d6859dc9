package fsop

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"

	"golang.org/x/sys/unix"
)

// fdTable holds a tree's named descriptors: files opened by Open and
// OpenTmpfile (with the mapping Mmap made of each) and programs Exec left
// running. A descriptor op names one (FD); the merged view and the
// reference each hold their own table, so that the same name stands for the
// same open file description on each side.
type fdTable struct {
	files map[string]*openFile
	procs map[string]*exec.Cmd
}

// openFile is one named open file description.
type openFile struct {
	fd  int
	mem []byte // the mapping Mmap made of it, if any
}

// table returns t's descriptor table, made on first use.
func (t *Tree) table() *fdTable {
	if t.fds == nil {
		t.fds = &fdTable{files: map[string]*openFile{}, procs: map[string]*exec.Cmd{}}
	}
	return t.fds
}

// fdOf is the descriptor named name, or -1 when there is none: every
// system call on it then fails with EBADF, as it would in a program whose
// open failed, on both sides alike.
func (t *Tree) fdOf(name string) int {
	if f := t.table().files[name]; f != nil {
		return f.fd
	}
	return -1
}

// hold names fd; a name already in use is closed first, as a program that
// reuses a variable would lose its old descriptor.
func (t *Tree) hold(name string, fd int) {
	tab := t.table()
	if old := tab.files[name]; old != nil {
		old.close()
	}
	tab.files[name] = &openFile{fd: fd}
}

// close unmaps and closes the file and, when it was open for writing,
// waits until no forked child holds a copy of it (forkwait.go).
func (f *openFile) close() error {
	return closeReleased(f.fd, func() error {
		if f.mem == nil {
			return nil
		}
		err := unix.Munmap(f.mem)
		f.mem = nil
		return err
	})
}

// closeName closes the file or stops the program named name.
func (t *Tree) closeName(name string) error {
	tab := t.table()
	if f := tab.files[name]; f != nil {
		delete(tab.files, name)
		return f.close()
	}
	if c := tab.procs[name]; c != nil {
		delete(tab.procs, name)
		return stopProgram(c)
	}
	return unix.EBADF
}

// stopProgram kills a program Exec left running and reaps it.
func stopProgram(c *exec.Cmd) error {
	c.Process.Kill()
	c.Wait() // killed: its status says so, and is no error of the op
	return nil
}

// CloseFiles closes every named descriptor of the tree and stops every
// program left running, as the end of a process would. The engine calls
// it before it unmounts or snapshots the tree: an open file would keep a
// mount busy, and what a snapshot sees must not depend on one.
func (t *Tree) CloseFiles() error {
	if t == nil || t.fds == nil {
		return nil
	}
	var errs []error
	names := make([]string, 0, len(t.fds.files)+len(t.fds.procs))
	for n := range t.fds.files {
		names = append(names, n)
	}
	for n := range t.fds.procs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := t.closeName(n); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}

// OpenNames lists the names of the tree's open descriptors and running
// programs, sorted.
func (t *Tree) OpenNames() []string {
	if t == nil || t.fds == nil {
		return nil
	}
	var names []string
	for n := range t.fds.files {
		names = append(names, n)
	}
	for n := range t.fds.procs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
