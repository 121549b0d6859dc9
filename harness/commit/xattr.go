package commit

import (
	"errors"
	"strconv"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

func isACL(name string) bool { return name == fsop.XattrACLAccess || name == fsop.XattrACLDefault }

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
func listXattrs(p string) (map[string]string, error) { return readXattrs(p, false) }

// mappableXattrs is listXattrs for an upper read through an idmapped
// mount (--idmap): an xattr whose ids the mount's mapping cannot show is
// left out, as a layer committed through the mapping cannot carry it. The
// kernel refuses to read a security.capability whose root id is outside
// the mapping (EOVERFLOW) and shows an ACL entry naming such an id as
// ACL_UNDEFINED_ID, which no extractor can set (EINVAL). Left out, the
// layer lacks the xattr the merged view shows: a commit finding, where
// the backend stored ids it should have mapped, instead of an error that
// hides the scenario's verdict.
func mappableXattrs(p string) (map[string]string, error) { return readXattrs(p, true) }

func readXattrs(p string, mappable bool) (map[string]string, error) {
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
		if mappable && (errors.Is(err, unix.EOVERFLOW) || err == nil && isACL(name) && fsop.ACLNamesUnmappedID(v)) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if ok {
			out[name] = v
		}
	}
	return out, nil
}
