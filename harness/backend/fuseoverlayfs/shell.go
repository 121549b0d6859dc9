package fuseoverlayfs

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/daemon"
)

// MountShell implements ShellMounter.
func (f *FuseOverlayfs) MountShell(spec backend.MountSpec) string {
	return daemon.Shell(f.Argv(spec))
}

// UnmountShell implements ShellMounter.
func (f *FuseOverlayfs) UnmountShell(target string) string {
	return "fusermount3 -u " + fsop.Quote(target)
}
