package fsop

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Identity is a set of credentials an op or an access probe runs with.
// The zero Identity is root.
type Identity struct {
	Name   string   `json:"name"`
	UID    uint32   `json:"uid"`
	GID    uint32   `json:"gid"`
	Groups []uint32 `json:"groups,omitempty"`
}

// Root is the identity of the harness itself.
var Root = Identity{Name: "root"}

// IsRoot reports whether the identity runs with root's credentials.
func (id Identity) IsRoot() bool { return id.UID == 0 && id.GID == 0 && len(id.Groups) == 0 }

func (id Identity) String() string {
	if id.Name != "" {
		return id.Name
	}
	return fmt.Sprintf("%d:%d", id.UID, id.GID)
}

// ShellPrefix is the setpriv(1) prefix that runs a shell command with the
// identity's credentials, or "" for root.
func (id Identity) ShellPrefix() string {
	if id.IsRoot() {
		return ""
	}
	groups := "--clear-groups"
	if len(id.Groups) > 0 {
		g := make([]string, len(id.Groups))
		for i, x := range id.Groups {
			g[i] = fmt.Sprint(x)
		}
		groups = "--groups=" + strings.Join(g, ",")
	}
	return fmt.Sprintf("setpriv --reuid=%d --regid=%d %s -- ", id.UID, id.GID, groups)
}

// RunAs calls fn on an OS thread that holds only the identity's credentials.
//
// Go's syscall.Setuid changes every thread of the process; the raw
// setresuid/setresgid/setgroups system calls change only the calling thread.
// The thread is locked for the call and never unlocked, so the runtime
// throws it away when fn returns instead of handing a thread with foreign
// credentials to other goroutines. Root calls fn on the current goroutine.
func RunAs(id Identity, fn func() error) error { return RunWith(id, nil, fn) }

// RunWith is runAs with an optional umask. umask(2) belongs to the fs_struct
// that every thread of the process shares, so a umask is set only on a
// throwaway thread that first unshares CLONE_FS (its own copy of umask, cwd
// and root): the rest of the process keeps its umask, whatever the op. Root
// ops with a umask take the same thread; root ops without one run on the
// current goroutine.
func RunWith(id Identity, umask *uint32, fn func() error) error {
	if id.IsRoot() && umask == nil {
		return fn()
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread dies with this goroutine.
		done <- func() error {
			if umask != nil {
				if err := unix.Unshare(unix.CLONE_FS); err != nil {
					return fmt.Errorf("unshare CLONE_FS for a umask: %w", err)
				}
				unix.Umask(int(*umask & 0o777))
			}
			if id.IsRoot() {
				return fn()
			}
			groups := append([]uint32{}, id.Groups...)
			if len(groups) == 0 {
				groups = []uint32{id.GID}
			}
			_, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(groups)), uintptr(unsafe.Pointer(&groups[0])), 0)
			if e != 0 {
				return fmt.Errorf("setgroups for %s: %w", id, e)
			}
			if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(id.GID), uintptr(id.GID), uintptr(id.GID)); e != 0 {
				return fmt.Errorf("setresgid for %s: %w", id, e)
			}
			if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(id.UID), uintptr(id.UID), uintptr(id.UID)); e != 0 {
				return fmt.Errorf("setresuid for %s: %w", id, e)
			}
			return fn()
		}()
	}()
	return <-done
}
