package sandbox

import (
	"errors"
	"fmt"
	"github.com/layercheck/layercheck/harness/internal/daemon"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/layout"
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
	// ext4 is the scratch image where tmpfs lacks user xattrs
	// (scratch_ext4.go); Dir is then its mount beneath runDir.
	ext4   *layout.Storage
	runDir string
	// daemons is the file that records the run's live daemon PIDs.
	daemons string
}

// NewScratch makes the run directory beneath base. With tmpfs it mounts a
// fresh tmpfs on it (in the run's private mount namespace), so every layer,
// upper and reference lives on one known filesystem.
func NewScratch(base string, tmpfs bool) (*Scratch, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, &backend.EnvError{Msg: fmt.Sprintf("scratch %s: %v", base, err)}
	}
	dir := filepath.Join(base, fmt.Sprintf("run-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, &backend.EnvError{Msg: fmt.Sprintf("scratch %s: %v", dir, err)}
	}
	s := &Scratch{Dir: dir}
	if wantExt4(tmpfs) {
		if err := s.mountExt4(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	} else if tmpfs {
		// noatime: no read of the harness or a backend moves an atime; a
		// scenario that tests atime mounts its own directory with its own
		// policy (harness/times.go).
		if err := unix.Mount("layercheck", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOATIME, "mode=0755,size=50%"); err != nil {
			os.Remove(dir)
			return nil, &backend.EnvError{Msg: fmt.Sprintf("mount tmpfs on %s: %v", dir, err)}
		}
		s.tmpfs = true
	}
	// The pid file sits in the tmpfs too: it and the run vanish together.
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		s.Close()
		return nil, err
	}
	s.FSType = mounts.FSType(s.Dir)
	// Daemons (FUSE backends) are recorded beside the run directory, where
	// the host and `layercheck cleanup` can read them after a SIGKILL.
	s.daemons = dir + daemon.RecordSuffix
	daemon.
		SetRecordFile(s.daemons)
	return s, nil
}

// Close unmounts the tmpfs and removes the run directory.
func (s *Scratch) Close() error {
	var err error
	if s.daemons != "" {
		daemon.
			SetRecordFile("")
		os.Remove(s.daemons)
	}
	if s.tmpfs {
		err = mounts.Detach(s.Dir)
	}
	err = errors.Join(err, s.closeExt4())
	if left, _ := mounts.Beneath(s.Dir); len(left) > 0 {
		return fmt.Errorf("still mounted beneath %s: %s", s.Dir, strings.Join(left, ", "))
	}
	if rerr := os.RemoveAll(s.Dir); err == nil {
		err = rerr
	}
	return err
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
	waitDying(base) // dying.go: a run killed a moment ago is not in progress
	// Daemons first: a live FUSE daemon keeps its mount (and the dead
	// run's mount namespace) alive.
	killed, err := daemon.KillRecorded(base)
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
		if pid, err := strconv.Atoi(strings.TrimPrefix(e.Name(), "run-")); err == nil && pid != os.Getpid() && daemon.Alive(pid) {
			rep.Live = append(rep.Live, dir)
			continue
		}
		mps, err := mounts.Beneath(dir)
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
		if left, _ := mounts.Beneath(dir); len(left) > 0 {
			return rep, fmt.Errorf("still mounted beneath %s: %s", dir, strings.Join(left, ", "))
		}
		if err := os.RemoveAll(dir); err != nil {
			return rep, err
		}
		rep.Removed = append(rep.Removed, dir)
	}
	return rep, nil
}
