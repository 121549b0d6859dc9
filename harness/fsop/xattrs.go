package fsop

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// ProcPath names dirfd/name through /proc/self/fd, so that path-based
// l*xattr calls reach exactly the entry the walk holds, never a symlink's
// target, whatever the length of the tree's own path.
func ProcPath(dirfd int, name string) string {
	return fmt.Sprintf("/proc/self/fd/%d/%s", dirfd, name)
}

// XattrsOf reads every extended attribute of the path p (l* calls: a
// symlink's own attributes, never its target's).
func XattrsOf(p string) (map[string]string, error) {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err == unix.ERANGE {
		sz, _ := unix.Llistxattr(p, nil)
		buf = make([]byte, sz)
		n, err = unix.Llistxattr(p, buf)
	}
	if err == unix.ENOTSUP || err == unix.EOPNOTSUPP {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out map[string]string
	for _, attr := range strings.Split(string(buf[:n]), "\x00") {
		if attr == "" {
			continue
		}
		val := make([]byte, 1024)
		m, err := unix.Lgetxattr(p, attr, val)
		if err == unix.ERANGE {
			sz, _ := unix.Lgetxattr(p, attr, nil)
			val = make([]byte, sz)
			m, err = unix.Lgetxattr(p, attr, val)
		}
		if out == nil {
			out = map[string]string{}
		}
		if err != nil {
			out[attr] = "unreadable: " + string(OutcomeOf(err))
			continue
		}
		out[attr] = string(val[:m])
	}
	return out, nil
}
