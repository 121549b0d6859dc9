package sandbox

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/kernfeat"
	"github.com/layercheck/layercheck/harness/layout"
	"golang.org/x/sys/unix"
)

// Before Linux 6.6 tmpfs keeps no user.* xattrs (kernfeat.TmpfsUserXattr),
// which the fixtures set and the scenarios compare. There the run's
// scratch is an ext4 image instead, loop-mounted on run-PID/fs: the image
// (run-PID/fs.ext4.img, sparse) and the device (autoclear) go with the
// run directory, and a killed run's mount dies with its private mount
// namespace, so `layercheck cleanup` finds only a directory to remove.

// wantExt4 reports whether a run that asks for a tmpfs gets an ext4 image.
func wantExt4(tmpfs bool) bool {
	return tmpfs && kernfeat.Missing(kernfeat.TmpfsUserXattr)
}

// mountExt4 makes the ext4 scratch beneath the run directory s.Dir and
// moves s.Dir onto it.
func (s *Scratch) mountExt4() error {
	if why := layout.Available(layout.Ext4); why != "" {
		return &backend.EnvError{Msg: fmt.Sprintf(
			"tmpfs here keeps no user.* xattrs (Linux 6.6) and its fallback, a scratch on an ext4 image, cannot run: %s (or run with --on-disk and --scratch on a filesystem that has them)", why)}
	}
	fs := filepath.Join(s.Dir, "fs")
	if err := os.Mkdir(fs, 0o755); err != nil {
		return err
	}
	st, err := layout.Scratch(layout.Ext4, fs, ramEighth(), layout.Options{})
	if err != nil {
		return &backend.EnvError{Msg: fmt.Sprintf("ext4 scratch (tmpfs here keeps no user.* xattrs, Linux 6.6): %v", err)}
	}
	s.ext4, s.runDir, s.Dir = st, s.Dir, fs
	return nil
}

// ramEighth is an eighth of the machine's memory: the image is made four
// times that (sparse), as big as the tmpfs it stands for (size=50%).
func ramEighth() int64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 64 << 20
	}
	return int64(si.Totalram) * int64(si.Unit) / 8
}

// closeExt4 unmounts the ext4 scratch (the loop device goes with it).
func (s *Scratch) closeExt4() error {
	if s.ext4 == nil {
		return nil
	}
	err := s.ext4.Close()
	s.ext4, s.Dir = nil, s.runDir
	return err
}
