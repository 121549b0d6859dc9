package snapshot

import (
	"maps"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// stamp is what stat(2) says of an entry that any change to it moves:
// every write, chmod, chown, xattr change, link or rename updates ctime.
type stamp struct {
	ino, size, nlink uint64
	mode, uid, gid   uint32
	ctime            unix.Timespec
}

func stampOf(st *unix.Stat_t) stamp {
	return stamp{ino: st.Ino, size: uint64(st.Size), nlink: uint64(st.Nlink), mode: st.Mode, uid: st.Uid, gid: st.Gid, ctime: st.Ctim}
}

// StampTree stamps every entry of the tree at dir (the root too), reading
// only directories and stat(2): a read-only layer that no mount touched
// stamps the same, and checking that costs a fraction of a snapshot.
func StampTree(dir string) (map[string]stamp, error) {
	fd, err := openNoatime(unix.AT_FDCWD, dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	out := map[string]stamp{}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	out["."] = stampOf(&st)
	return out, lstatWalk(fd, "", func(p string, st *unix.Stat_t) { out[p] = stampOf(st) })
}

// lstatWalk lstats every entry beneath the directory open as fd (not fd
// itself), depth first, and hands each to each by its path relative to
// the root of the walk; directories are opened without moving their atime.
func lstatWalk(fd int, dir string, each func(p string, st *unix.Stat_t)) error {
	names, err := fsop.ReadNames(fd)
	if err != nil {
		return err
	}
	for _, name := range names {
		var st unix.Stat_t
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
		p := fsop.Join(dir, name)
		each(p, &st)
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			sub, err := openNoatime(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
			if err != nil {
				return err
			}
			err = lstatWalk(sub, p, each)
			unix.Close(sub)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// sameStamps reports whether the tree at dir stamps as it did in before.
func sameStamps(dir string, before map[string]stamp) bool {
	now, err := StampTree(dir)
	return err == nil && maps.Equal(now, before)
}

// Unchanged reports whether the tree at dir still stamps as it did when s
// was taken (false when s carries no stamps: a path snapshot, say), so that
// a caller can skip a full snapshot and comparison of a tree nothing touched.
func (s *Snapshot) Unchanged(dir string) bool {
	return s.stamps != nil && sameStamps(dir, s.stamps)
}

// Stamps are the stamps of a whole tree, taken once (TakeStamps), to ask
// later whether anything changed it.
type Stamps struct{ m map[string]stamp }

// TakeStamps stamps the tree at dir (StampTree).
func TakeStamps(dir string) (Stamps, error) {
	m, err := StampTree(dir)
	return Stamps{m}, err
}

// Same reports whether the tree at dir still stamps as it did.
func (s Stamps) Same(dir string) bool { return s.m != nil && sameStamps(dir, s.m) }
