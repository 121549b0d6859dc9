package exec

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
)

// mountWaitTenths is how long a reproducer waits for the mount to show, in
// tenths of a second, as Mount waits for mountinfo.
const mountWaitTenths = 100

// MountShell implements backend.ShellMounter: the template, filled in
// with spec's paths, runs in the background (it may stay in the
// foreground as the daemon, or mount and return), and the line succeeds
// once spec.Target is a mount point, or fails after 10 s.
func (e *Exec) MountShell(spec backend.MountSpec) string {
	target := fsop.Quote(spec.Target)
	return fmt.Sprintf("{ (/bin/sh -c %s </dev/null >/dev/null &); i=0; until mountpoint -q %s || [ $i -ge %d ]; do sleep 0.1; i=$((i+1)); done; mountpoint -q %s; }",
		fsop.Quote(ExpandTemplate(e.mount, spec)), target, mountWaitTenths, target)
}

// UnmountShell implements backend.ShellMounter: the unmount template with
// {target} filled in, or umount(8). A daemon that stayed in the
// foreground ends once its mount is gone.
func (e *Exec) UnmountShell(target string) string {
	if e.unmount == "" {
		return "umount " + fsop.Quote(target)
	}
	return ExpandTemplate(e.unmount, backend.MountSpec{Target: target})
}
