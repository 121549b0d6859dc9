package harness

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// DefaultScratch is where runs make their directories unless told otherwise.
const DefaultScratch = "/var/tmp/layercheck"

// Scratch is the directory of one run: run-PID beneath the scratch base,
// with a tmpfs mounted on it unless the run tests another filesystem. A
// file "pid" in it names the owner, so that `layercheck cleanup` can tell a
// live run from the remains of a killed one.
type Scratch struct {
	Dir    string
	FSType string // what the scenarios run on: tmpfs, ext4, xfs...
	tmpfs  bool
	// daemons is the file that records the run's live daemon PIDs.
	daemons string
}

// NewScratch makes the run directory beneath base. With tmpfs it mounts a
// fresh tmpfs on it (in the run's private mount namespace), so every layer,
// upper and reference lives on one known filesystem.
func NewScratch(base string, tmpfs bool) (*Scratch, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, &EnvError{fmt.Sprintf("scratch %s: %v", base, err)}
	}
	dir := filepath.Join(base, fmt.Sprintf("run-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, &EnvError{fmt.Sprintf("scratch %s: %v", dir, err)}
	}
	s := &Scratch{Dir: dir}
	if tmpfs {
		if err := unix.Mount("layercheck", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=50%"); err != nil {
			os.Remove(dir)
			return nil, &EnvError{fmt.Sprintf("mount tmpfs on %s: %v", dir, err)}
		}
		s.tmpfs = true
	}
	// The pid file sits in the tmpfs too: it and the run vanish together.
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		s.Close()
		return nil, err
	}
	s.FSType = fsTypeOf(dir)
	// Daemons (FUSE backends) are recorded beside the run directory, where
	// the host and `layercheck cleanup` can read them after a SIGKILL.
	s.daemons = dir + daemonFileSuffix
	setDaemonFile(s.daemons)
	return s, nil
}

// Close unmounts the tmpfs and removes the run directory.
func (s *Scratch) Close() error {
	var err error
	if s.daemons != "" {
		setDaemonFile("")
		os.Remove(s.daemons)
	}
	if s.tmpfs {
		err = unmountPath(s.Dir)
	}
	if left, _ := mountsBeneath(s.Dir); len(left) > 0 {
		return fmt.Errorf("still mounted beneath %s: %s", s.Dir, strings.Join(left, ", "))
	}
	if rerr := os.RemoveAll(s.Dir); err == nil {
		err = rerr
	}
	return err
}

func fsTypeOf(dir string) string {
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil {
		return "unknown"
	}
	names := map[int64]string{
		unix.TMPFS_MAGIC: "tmpfs", unix.EXT4_SUPER_MAGIC: "ext4", unix.XFS_SUPER_MAGIC: "xfs",
		unix.BTRFS_SUPER_MAGIC: "btrfs", unix.OVERLAYFS_SUPER_MAGIC: "overlay", unix.FUSE_SUPER_MAGIC: "fuse",
	}
	if n, ok := names[int64(st.Type)]; ok {
		return n
	}
	return fmt.Sprintf("0x%x", st.Type)
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
		mp := unescapeMountinfo(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out, sc.Err()
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

// CleanupReport says what Cleanup did.
type CleanupReport struct {
	Unmounted []string
	Removed   []string
	Live      []string // runs still in progress, left alone
	Killed    []string // daemons of dead runs, "PID CMDLINE"
}

// Cleanup removes what interrupted runs left beneath base: it unmounts
// every mount beneath a run directory whose owner is gone (deepest first,
// detaching what is busy) and removes the directory. Runs whose process is
// alive are left alone. It never follows a symlink and never removes a
// directory that still has a mount beneath it.
func Cleanup(base string) (CleanupReport, error) {
	var rep CleanupReport
	// Daemons first: a live FUSE daemon keeps its mount (and the dead
	// run's mount namespace) alive.
	killed, err := CleanupDaemons(base)
	rep.Killed = killed
	if err != nil && !os.IsNotExist(err) {
		return rep, err
	}
	ents, err := os.ReadDir(base)
	if os.IsNotExist(err) {
		return rep, nil
	}
	if err != nil {
		return rep, err
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "run-") {
			continue
		}
		dir := filepath.Join(base, e.Name())
		if pid, err := strconv.Atoi(strings.TrimPrefix(e.Name(), "run-")); err == nil && pid != os.Getpid() && alive(pid) {
			rep.Live = append(rep.Live, dir)
			continue
		}
		mps, err := mountsBeneath(dir)
		if err != nil {
			return rep, err
		}
		for _, mp := range mps {
			if err := unix.Unmount(mp, unix.UMOUNT_NOFOLLOW); err != nil {
				if err := unix.Unmount(mp, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW); err != nil {
					return rep, fmt.Errorf("unmount %s: %w", mp, err)
				}
			}
			rep.Unmounted = append(rep.Unmounted, mp)
		}
		if left, _ := mountsBeneath(dir); len(left) > 0 {
			return rep, fmt.Errorf("still mounted beneath %s: %s", dir, strings.Join(left, ", "))
		}
		if err := os.RemoveAll(dir); err != nil {
			return rep, err
		}
		rep.Removed = append(rep.Removed, dir)
	}
	return rep, nil
}

// alive reports whether pid names a running process.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
