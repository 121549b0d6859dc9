package backend

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/errs"
	"golang.org/x/sys/unix"
)

// UsageError is an error in what the caller asked for (package errs): a
// driver reports options it refuses, a template it cannot use, as one.
type UsageError = errs.UsageError

// EnvError says the environment cannot run the check (package errs): a
// driver reports a program not installed, a kernel without its
// filesystem, as one.
type EnvError = errs.EnvError

// MountError is a mount the kernel refused, with its own words.
type MountError struct {
	FS     string // the filesystem that refused it ("overlay", a FUSE program's name); "" reads "mount"
	Errno  unix.Errno
	Kernel string // what the kernel wrote to the fs context, if anything
	Step   string
}

func (e *MountError) Error() string {
	fs := e.FS
	if fs == "" {
		fs = "mount"
	}
	msg := fmt.Sprintf("%s %s: %v", fs, e.Step, e.Errno)
	if e.Kernel != "" {
		msg += ": " + e.Kernel
	}
	return msg
}

func (e *MountError) Unwrap() error { return e.Errno }
