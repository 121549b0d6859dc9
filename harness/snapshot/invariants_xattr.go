package snapshot

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// xattrsChecked reads every extended attribute of dirfd/name (path p), not
// following it, as a careful program does: the size first, then the
// filled call, for the list and for each value. A filled call that
// returns another size than its query said is an invariant finding.
func (s *Snapshot) xattrsChecked(dirfd int, name, p string) (map[string]string, error) {
	path := fsop.ProcPath(dirfd, name)
	if name == "." {
		path = fmt.Sprintf("/proc/self/fd/%d", dirfd)
	}
	list, err := s.sizedCall(p, "listxattr-size", false, func(b []byte) (int, error) { return unix.Llistxattr(path, b) })
	if err == unix.ENOTSUP || err == unix.EOPNOTSUPP {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out map[string]string
	for _, attr := range strings.Split(string(list), "\x00") {
		if attr == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		val, err := s.sizedCall(p, "getxattr-size", true, func(b []byte) (int, error) { return unix.Lgetxattr(path, attr, b) })
		if err != nil {
			out[attr] = "unreadable: " + string(fsop.OutcomeOf(err))
			continue
		}
		out[attr] = string(val)
	}
	return out, nil
}

// sizedCall asks call for its size (a nil buffer), then fills a buffer of
// that size, and notes an invariant finding when the filled call does not
// fit, or, with exact, returns less. A filled call that needs more
// (ERANGE) is retried with a query, so that the snapshot still holds what
// is there.
func (s *Snapshot) sizedCall(p, field string, exact bool, call func([]byte) (int, error)) ([]byte, error) {
	for range 3 {
		size, err := call(nil)
		if err != nil {
			return nil, err
		}
		if size == 0 {
			return nil, nil
		}
		buf := make([]byte, size)
		n, err := call(buf)
		if err == unix.ERANGE {
			s.invariant(p, fmt.Sprintf("%s: %d bytes asked", field, size), "fits the size query", "ERANGE for the size query's buffer")
			continue
		}
		if err != nil {
			return nil, err
		}
		if n > size || exact && n != size {
			s.invariant(p, fmt.Sprintf("%s: %d bytes asked, %d filled", field, size, n), "the size query's", "another size filled than the query said")
		}
		return buf[:n], nil
	}
	return nil, unix.ERANGE
}
