package backend

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// UsageError is an error in what the caller asked for: a setting out of
// range, options a backend refuses, a template it cannot use. The library
// names the setting in its own words (Setting: "depth", "options",
// "backend", "build", "unmount"); a front end names it its own way (the
// command line as a flag, --depth) and picks the exit code (2).
type UsageError struct {
	Setting string // "" when no one setting is at fault
	Msg     string
}

func (e *UsageError) Error() string { return withSetting(e.Setting, e.Msg) }

// EnvError says the environment cannot run the check: no privilege, a
// backend not installed, a kernel without the filesystem (exit code 3 on
// the command line). Setting names the setting that asked for it, if one
// did ("rootless").
type EnvError struct {
	Setting string
	Msg     string
}

func (e *EnvError) Error() string { return withSetting(e.Setting, e.Msg) }

func withSetting(setting, msg string) string {
	if setting == "" {
		return msg
	}
	return setting + ": " + msg
}

// MountError is a mount the kernel refused, with its own words.
type MountError struct {
	Errno  unix.Errno
	Kernel string // what the kernel wrote to the fs context, if anything
	Step   string
}

func (e *MountError) Error() string {
	msg := fmt.Sprintf("overlay %s: %v", e.Step, e.Errno)
	if e.Kernel != "" {
		msg += ": " + e.Kernel
	}
	return msg
}

func (e *MountError) Unwrap() error { return e.Errno }
