package harness

import "strings"

// The FUSE adapters as reproducer scripts drive them: the same command
// line without -f, so that the daemon detaches once the mount is live and
// the script goes on; fusermount3 -u takes it down (and the daemon exits).

func daemonShell(argv []string, err error) string {
	if err != nil {
		return "false # " + err.Error()
	}
	var words []string
	for _, a := range argv {
		if a != "-f" {
			words = append(words, sh(a))
		}
	}
	return strings.Join(words, " ")
}

// MountShell implements ShellMounter.
func (f *FuseOverlayfs) MountShell(spec MountSpec) string { return daemonShell(f.Argv(spec)) }

// UnmountShell implements ShellMounter.
func (f *FuseOverlayfs) UnmountShell(target string) string { return "fusermount3 -u " + sh(target) }

// MountShell implements ShellMounter.
func (u *UnionfsFuse) MountShell(spec MountSpec) string { return daemonShell(u.Argv(spec)) }

// UnmountShell implements ShellMounter.
func (u *UnionfsFuse) UnmountShell(target string) string { return "fusermount3 -u " + sh(target) }
