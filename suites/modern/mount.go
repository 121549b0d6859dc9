package modern

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// setting is one fsconfig call: a string (or a flag when val is "" and
// flag is set), or a descriptor when fd >= 0.
type setting struct {
	key, val string
	flag     bool
	fd       int
}

func str(k, v string) setting { return setting{key: k, val: v, fd: -1} }
func flag(k string) setting   { return setting{key: k, flag: true, fd: -1} }

// mountErr says which fsconfig step refused, with its errno.
type mountErr struct {
	step  string
	errno unix.Errno
	log   string // what the kernel logged on the fs context
}

func (e *mountErr) Error() string { return fmt.Sprintf("%s: %v %s", e.step, e.errno, e.log) }

// fsLog drains the messages of an fs context.
func fsLog(fsfd int) string {
	var out string
	buf := make([]byte, 512)
	for {
		n, err := unix.Read(fsfd, buf)
		if err != nil || n <= 0 {
			return out
		}
		out += "[" + string(buf[:n]) + "]"
	}
}

// detached creates an overlay from the settings and returns its detached
// mount's descriptor: nothing is attached anywhere, closing it is the
// unmount.
func detached(settings ...setting) (int, error) {
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, &mountErr{"fsopen", err.(unix.Errno), ""}
	}
	defer unix.Close(fsfd)
	for _, s := range settings {
		switch {
		case s.fd >= 0:
			err = unix.FsconfigSetFd(fsfd, s.key, s.fd)
		case s.flag:
			err = unix.FsconfigSetFlag(fsfd, s.key)
		default:
			err = unix.FsconfigSetString(fsfd, s.key, s.val)
		}
		if err != nil {
			return -1, &mountErr{s.key + " " + s.val, err.(unix.Errno), fsLog(fsfd)}
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, &mountErr{"create", err.(unix.Errno), fsLog(fsfd)}
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return -1, &mountErr{"fsmount", err.(unix.Errno), ""}
	}
	return mfd, nil
}

// readAt reads name beneath the mount descriptor mfd.
func readAt(mfd int, name string) (string, error) {
	fd, err := unix.Openat(mfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	b := make([]byte, 4096)
	n, err := f.Read(b)
	if n == 0 && err != nil {
		return "", err
	}
	return string(b[:n]), nil
}

// listAt lists directory name beneath mfd.
func listAt(mfd int, name string) ([]string, error) {
	fd, err := unix.Openat(mfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	return f.Readdirnames(-1)
}

func statAt(mfd int, name string) (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Fstatat(mfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	return st, err
}
