package layout

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

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
	if on, _ := mountsBeneath(target); len(on) > 1 {
		held = " (mounted beneath it: " + strings.Join(on[:len(on)-1], ", ") + ")"
	}
	if derr := unix.Unmount(target, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW); derr != nil {
		return fmt.Errorf("unmount %s: %w%s; detach: %v", target, err, held, derr)
	}
	return fmt.Errorf("unmount %s: %w%s; detached lazily", target, err, held)
}

// mountsBeneath lists the mount points at or beneath dir in this mount
// namespace, deepest first (the order to unmount them in).
func mountsBeneath(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dir = filepath.Clean(dir)
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		if mp := unescapeMountinfo(fields[4]); within(dir, mp) {
			out = append(out, mp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out, sc.Err()
}

// MountsBeneath lists what is mounted at or beneath dir, deepest first:
// for a caller's or a test's check that nothing was left behind.
func MountsBeneath(dir string) ([]string, error) { return mountsBeneath(dir) }

// within reports whether p is root or lies beneath it (both clean).
func within(root, p string) bool {
	return p == root || root == "/" || strings.HasPrefix(p, root+"/")
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of mountinfo.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
