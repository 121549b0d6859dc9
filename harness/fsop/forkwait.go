package fsop

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Closing a file opened for writing is not the end of its writing: the
// open file description lives on while any process holds a copy of the
// descriptor. Scenarios run in parallel in one process, and every fork
// (another scenario's Exec, a FUSE daemon's start, a mkfs) copies all of
// the process's descriptors into its child, which holds them until its
// exec has closed them (O_CLOEXEC; the kernel releases the description
// even a little after the exec, from the child's task work). An exec of
// the file in that moment fails with ETXTBSY: under load the moment grows,
// and openfiles/exec-while-open-for-write failed with an errno finding on
// usr/bin/seven that no run alone showed (TestExecAfterCloseUnderForks
// shows it in a few tries without the wait below).
//
// The explicit signal is the kernel's own: IN_CLOSE_WRITE is sent when
// the last reference to an open file description that was open for
// writing is released, whoever held it. So closing such a descriptor
// watches its inode first and waits for that event. syscall.ForkLock is no
// such signal: the vfork parent resumes at the child's exec_mmap, before
// the child has closed its O_CLOEXEC copies.

// releaseLimit bounds the wait: a copy is released when a forked child
// execs, at once; a child that never does would be a harness bug, and the
// op then goes on rather than hang.
const releaseLimit = 10_000 // milliseconds

// closeReleased closes fd (after unmapping mem) and, when fd was open for
// writing, returns once the kernel has released its open file description.
func closeReleased(fd int, unmap func() error) error {
	in := watchRelease(fd)
	err := unmap()
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if in >= 0 {
		waitRelease(in)
		unix.Close(in)
	}
	return err
}

// watchRelease returns an inotify descriptor watching fd's inode for
// IN_CLOSE_WRITE, or -1 when fd is not open for writing (or cannot be
// watched: then the close does not wait, as before).
func watchRelease(fd int) int {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_PATH != 0 || fl&unix.O_ACCMODE == unix.O_RDONLY {
		return -1
	}
	in, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return -1
	}
	if _, err := unix.InotifyAddWatch(in, fmt.Sprintf("/proc/self/fd/%d", fd), unix.IN_CLOSE_WRITE); err != nil {
		unix.Close(in)
		return -1
	}
	return in
}

// waitRelease waits for the IN_CLOSE_WRITE event on in.
func waitRelease(in int) {
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(in, buf)
		if n > 0 {
			return
		}
		if err != unix.EAGAIN && err != unix.EINTR {
			return
		}
		fds := []unix.PollFd{{Fd: int32(in), Events: unix.POLLIN}}
		if k, err := unix.Poll(fds, releaseLimit); k == 0 && err == nil {
			return // the limit: see releaseLimit
		}
	}
}
