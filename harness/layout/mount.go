package layout

import (
	"fmt"
	"strings"
	"time"

	"github.com/layercheck/layercheck/harness/internal/mounts"
	"golang.org/x/sys/unix"
)

// mountFlags are the flags of every read-write mount the package makes:
// nosuid and nodev as the run's tmpfs always had, and an explicit atime
// policy.
func (o Options) mountFlags() uintptr {
	if o.StrictAtime {
		return unix.MS_NOSUID | unix.MS_NODEV | unix.MS_STRICTATIME
	}
	return unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOATIME
}

// mountTmpfs mounts a fresh tmpfs on dir.
func mountTmpfs(dir string, o Options) error {
	if err := unix.Mount("layercheck", dir, "tmpfs", o.mountFlags(), "mode=0755,size=50%"); err != nil {
		return fmt.Errorf("mount tmpfs on %s: %w", dir, err)
	}
	return nil
}

// unmount unmounts target, which the package mounted itself. A busy mount
// gets a few retries (a just-closed file or a lazily released overlay can
// hold it for a moment), then a lazy detach so the namespace is clean; the
// error still says so, since a lazily detached loop device lingers until
// its last user goes.
func unmount(target string) error {
	var err error
	for i := 0; i < 10; i++ {
		err = unix.Unmount(target, unix.UMOUNT_NOFOLLOW)
		if err == nil || err == unix.EINVAL { // EINVAL: no longer mounted
			return nil
		}
		if err != unix.EBUSY {
			return fmt.Errorf("unmount %s: %w", target, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	held := ""
	if on, _ := mounts.Beneath(target); len(on) > 1 {
		held = " (mounted beneath it: " + strings.Join(on[:len(on)-1], ", ") + ")"
	}
	if derr := unix.Unmount(target, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW); derr != nil {
		return fmt.Errorf("unmount %s: %w%s; detach: %v", target, err, held, derr)
	}
	return fmt.Errorf("unmount %s: %w%s; detached lazily", target, err, held)
}

// MountsBeneath lists what is mounted at or beneath dir, deepest first:
// for a caller's or a test's check that nothing was left behind.
func MountsBeneath(dir string) ([]string, error) { return mounts.Beneath(dir) }

// within reports whether p is root or lies beneath it (both clean).
func within(root, p string) bool {
	return p == root || root == "/" || strings.HasPrefix(p, root+"/")
}
