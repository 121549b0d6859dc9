package layout

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// loopDev is a loop device this package attached, and what it showed as
// its backing file then: a later check that the device is still ours
// before touching it (the number may be reused by anyone once free).
type loopDev struct {
	n       int
	backing string
}

func (l loopDev) String() string { return fmt.Sprintf("/dev/loop%d", l.n) }

// backingFile reads what loop device n is attached to, "" when it is free.
func backingFile(n int) string {
	b, err := os.ReadFile(fmt.Sprintf("/sys/block/loop%d/loop/backing_file", n))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// loopMount attaches image to a free loop device and mounts it on target.
// The device is attached with autoclear: the kernel detaches it when the
// filesystem lets go of it, so even a killed run (whose private mount
// namespace dies) leaves no device behind. The returned undo unmounts and
// checks that the device is gone.
func loopMount(image, target, fstype string, flags uintptr) (undo func() error, err error) {
	ro := flags&unix.MS_RDONLY != 0
	mode := os.O_RDWR
	if ro {
		mode = os.O_RDONLY
	}
	img, err := os.OpenFile(image, mode|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	dev, l, err := attachLoop(img, mode, ro)
	if err != nil {
		return nil, fmt.Errorf("loop %s: %w", image, err)
	}
	// Closing dev leaves the device to the mount; had the mount failed, the
	// close alone would detach it (autoclear), and LOOP_CLR_FD says so
	// plainly.
	defer dev.Close()
	if err := unix.Mount(l.String(), target, fstype, flags, ""); err != nil {
		_ = unix.IoctlSetInt(int(dev.Fd()), unix.LOOP_CLR_FD, 0)
		return nil, fmt.Errorf("mount %s (%s on %s) on %s: %w", fstype, image, l, target, err)
	}
	return func() error {
		return errors.Join(unmount(target), l.waitDetached())
	}, nil
}

// attachLoop binds img to a free loop device. LOOP_CTL_GET_FREE and
// LOOP_CONFIGURE are two steps, so another process may take the device
// in between: LOOP_CONFIGURE then fails with EBUSY and we ask again.
func attachLoop(img *os.File, mode int, ro bool) (*os.File, loopDev, error) {
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, loopDev{}, err
	}
	defer ctl.Close()
	cfg := unix.LoopConfig{Fd: uint32(img.Fd())}
	cfg.Info.Flags = unix.LO_FLAGS_AUTOCLEAR
	if ro {
		cfg.Info.Flags |= unix.LO_FLAGS_READ_ONLY
	}
	for try := 0; ; try++ {
		n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			return nil, loopDev{}, fmt.Errorf("LOOP_CTL_GET_FREE: %w", err)
		}
		l := loopDev{n: n}
		dev, err := os.OpenFile(l.String(), mode|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, loopDev{}, err
		}
		err = unix.IoctlLoopConfigure(int(dev.Fd()), &cfg)
		if err == nil {
			// What sysfs shows (the path as the kernel sees it) is what
			// waitDetached compares with.
			if l.backing = backingFile(n); l.backing == "" {
				l.backing = img.Name()
			}
			return dev, l, nil
		}
		dev.Close()
		if err != unix.EBUSY || try == 9 {
			return nil, loopDev{}, fmt.Errorf("LOOP_CONFIGURE %s: %w", l, err)
		}
	}
}

// waitDetached waits for autoclear to free the device after the unmount.
// The last reference can go a moment after umount(2) returns (btrfs
// releases its devices asynchronously), hence the polling; if it stays,
// LOOP_CLR_FD is asked for, on the device only if it still shows our file.
func (l loopDev) waitDetached() error {
	if l.detachedWithin(100) {
		return nil
	}
	dev, err := os.OpenFile(l.String(), os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err == nil {
		if backingFile(l.n) == l.backing {
			err = unix.IoctlSetInt(int(dev.Fd()), unix.LOOP_CLR_FD, 0)
		}
		dev.Close()
	}
	// LOOP_CLR_FD on a device still referenced only marks it for
	// autoclear: on a loaded machine the release takes seconds.
	if b := backingFile(l.n); b == l.backing && !l.detachedWithin(500) {
		return fmt.Errorf("%s still attached to %s (in use?): %v", l, b, err)
	}
	return nil
}

// detachedWithin polls, every 10 ms up to n times, for the device to
// show another backing file than ours (none, or a new user's).
func (l loopDev) detachedWithin(n int) bool {
	for i := 0; i < n; i++ {
		if backingFile(l.n) != l.backing {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
