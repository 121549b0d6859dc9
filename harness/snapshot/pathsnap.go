package snapshot

import (
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// TakePathSnapshot reads, of the tree at dir, only the given paths and
// every directory above each of them that exists there, component by
// component without following any symlink. It is what an op on those
// paths can change in an upper layer by copying up (the path and its
// parents) or whiting out (the path), at a cost that does not grow with the
// size of the layer. A path whose parent is missing or not a directory is
// simply not there.
func TakePathSnapshot(dir string, paths []string) (*Snapshot, error) {
	s := &Snapshot{Entries: map[string]Entry{}, inodes: map[string]uint64{}}
	root, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(root)
	var st unix.Stat_t
	if err := unix.Fstat(root, &st); err != nil {
		return nil, err
	}
	if s.Entries["."], err = s.entry(root, ".", ".", &st); err != nil {
		return nil, err
	}
	for _, p := range paths {
		if err := s.readChain(root, fsop.CleanRel(p)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// readChain records every existing component of rel, from the top.
func (s *Snapshot) readChain(root int, rel string) error {
	if rel == "." {
		return nil
	}
	dirfd := root
	defer func() {
		if dirfd != root {
			unix.Close(dirfd)
		}
	}()
	parts := strings.Split(rel, "/")
	for i, name := range parts {
		p := strings.Join(parts[:i+1], "/")
		var st unix.Stat_t
		if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return nil // not there (or not reachable): nothing more below
		}
		if _, seen := s.Entries[p]; !seen {
			e, err := s.entry(dirfd, name, p, &st)
			if err != nil {
				return err
			}
			s.Entries[p] = e
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR || i == len(parts)-1 {
			return nil
		}
		next, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil
		}
		if dirfd != root {
			unix.Close(dirfd)
		}
		dirfd = next
	}
	return nil
}
