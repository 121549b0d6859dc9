package unionfs

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/daemon"
)

// MountShell implements ShellMounter.
func (u *UnionfsFuse) MountShell(spec backend.MountSpec) string {
	return daemon.Shell(u.Argv(spec))
}

// UnmountShell implements ShellMounter.
func (u *UnionfsFuse) UnmountShell(target string) string {
	return "fusermount3 -u " + fsop.Quote(target)
}
