package daemon

import (
	"syscall"
)

// Alive reports whether pid names a running process.
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
