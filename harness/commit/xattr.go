package commit

import (
	"errors"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// fdPath names the file an O_PATH descriptor refers to. The xattr calls
// take no O_PATH descriptor, but they follow this magic link to exactly
// that file, a symlink included, without resolving any name again.
func fdPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// getXattr reads the xattr name of the file at p (an fdPath); ok is false
// when it is unset or the filesystem has none.
func getXattr(p, name string) (val string, ok bool, err error) {
	if p == "" {
		return "", false, nil
	}
	buf := make([]byte, 256)
	for {
		n, err := unix.Getxattr(p, name, buf)
		switch {
		case err == nil:
			return string(buf[:n]), true, nil
		case errors.Is(err, unix.ERANGE):
			size, serr := unix.Getxattr(p, name, nil)
			if serr != nil {
				return "", false, serr
			}
			buf = make([]byte, size+1)
		case errors.Is(err, unix.ENODATA) || errors.Is(err, unix.EOPNOTSUPP):
			return "", false, nil
		default:
			return "", false, err
		}
	}
}

// listXattrs reads every xattr of the file at p (an fdPath).
func listXattrs(p string) (map[string]string, error) {
	var buf []byte
	for {
		size, err := unix.Listxattr(p, nil)
		if errors.Is(err, unix.EOPNOTSUPP) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		buf = make([]byte, size)
		n, err := unix.Listxattr(p, buf)
		if errors.Is(err, unix.ERANGE) {
			continue // grew in between
		}
		if err != nil {
			return nil, err
		}
		buf = buf[:n]
		break
	}
	out := map[string]string{}
	for _, name := range strings.Split(string(buf), "\x00") {
		if name == "" {
			continue
		}
		v, ok, err := getXattr(p, name)
		if err != nil {
			return nil, err
		}
		if ok {
			out[name] = v
		}
	}
	return out, nil
}
