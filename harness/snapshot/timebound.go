package snapshot

import (
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// CtimeBoundary returns a TimePolicy whose CtimeSince separates what
// happened before the call from what happens after it, by the clock the
// kernel stamps ctime with on the filesystem of dir (a coarse clock that
// lags time.Now by up to a tick, so a time.Now boundary would read a
// change made right after it as "unchanged"). It changes a marker file in
// dir until its ctime moves: the first ctime is then at or after
// everything before the call, and anything after the call is later.
func CtimeBoundary(dir string) (TimePolicy, error) {
	f, err := os.CreateTemp(dir, ".ctime-boundary-")
	if err != nil {
		return TimePolicy{}, err
	}
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	var first unix.Stat_t
	if err := unix.Lstat(name, &first); err != nil {
		return TimePolicy{}, err
	}
	for i := 0; i < 1000; i++ {
		time.Sleep(time.Millisecond)
		if err := unix.Chmod(name, 0o600|uint32(i%2)<<8); err != nil {
			return TimePolicy{}, err
		}
		var st unix.Stat_t
		if err := unix.Lstat(name, &st); err != nil {
			return TimePolicy{}, err
		}
		if st.Ctim != first.Ctim {
			return TimePolicy{CtimeSince: first.Ctim}, nil
		}
	}
	return TimePolicy{}, &os.PathError{Op: "ctime boundary", Path: filepath.Clean(name), Err: unix.ETIME}
}
