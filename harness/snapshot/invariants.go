package snapshot

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// Self-consistency: a layered filesystem answers each call from its own
// logic (overlayfs filters its private xattrs, computes a merged
// directory's link count, maps inode numbers), so two calls that must
// agree can disagree while each alone looks right. The walk asks, for
// every entry, in every phase:
//
//   - listxattr and getxattr asked with size 0, then filled: the list
//     fits the queried size, a value has exactly it (field
//     "listxattr-size", "getxattr-size"; invariants_xattr.go).
//   - a symlink's st_size is the length of what readlink returns
//     ("symlink-size").
//   - lstat by path, statx by path and fstat through a descriptor agree on
//     type, mode, owner, size, link count and (st_dev, st_ino) ("statx",
//     "fstat").
//   - readdir's names all look up, with the d_type the lookup gives, each
//     listed once (the walk itself: "lstat", "d_type", "listed").
//   - a directory's link count is 2 + its subdirectories where the
//     filesystem counts them: a count of 1 is the convention for "not
//     counted" (btrfs always; overlayfs for a merged directory, whose
//     getattr sets nlink 1 rather than count the union's subdirectories,
//     fs/overlayfs/inode.c ovl_getattr; find(1) reads 1 as "unknown"), and
//     any other count must be exact, as find's leaf optimisation trusts
//     it ("dir-nlink").
//
// Each is an invariant finding of the snapshot (Snapshot.Invariants).
// The checks run on the reference and on the control backend too
// (invariants_test.go): a check a plain filesystem fails is a bug of the
// check. Cost: one statx per entry, one fstat per directory (on the
// descriptor the walk opens anyway); xattrs are read by their size first,
// which for the common entry without any is the one call it was before.

// checkStat compares the walk's lstat of dirfd/name (path p) with statx
// by path: one extra syscall per entry.
func (s *Snapshot) checkStat(dirfd int, name, p string, st *unix.Stat_t) {
	var sx unix.Statx_t
	mask := uint32(unix.STATX_TYPE | unix.STATX_MODE | unix.STATX_NLINK | unix.STATX_UID | unix.STATX_GID | unix.STATX_INO | unix.STATX_SIZE)
	if err := unix.Statx(dirfd, name, unix.AT_SYMLINK_NOFOLLOW, int(mask), &sx); err != nil {
		s.invariant(p, "statx", "ok (lstat succeeded)", string(fsop.OutcomeOf(err)))
		return
	}
	other := unix.Stat_t{Mode: uint32(sx.Mode), Uid: sx.Uid, Gid: sx.Gid, Size: int64(sx.Size), Nlink: uint64(sx.Nlink),
		Ino: sx.Ino, Dev: unix.Mkdev(sx.Dev_major, sx.Dev_minor)}
	if d := statDiff(st, &other, sx.Mask); d != "" {
		s.invariant(p, "statx: "+d, "as lstat", "statx disagrees with lstat")
	}
}

// checkFstat compares the lstat of directory p with fstat through the
// descriptor the walk opened on it.
func (s *Snapshot) checkFstat(fd int, p string, st *unix.Stat_t) {
	var fst unix.Stat_t
	if err := unix.Fstat(fd, &fst); err != nil {
		s.invariant(p, "fstat", "ok (lstat succeeded)", string(fsop.OutcomeOf(err)))
		return
	}
	if d := statDiff(st, &fst, ^uint32(0)); d != "" {
		s.invariant(p, "fstat: "+d, "as lstat", "fstat disagrees with lstat")
	}
}

// statDiff says how b differs from a on the fields a file keeps between
// two calls, or "". mask is statx's: a field it did not fill is skipped.
func statDiff(a, b *unix.Stat_t, mask uint32) string {
	var out []string
	diff := func(bit uint32, name string, x, y any) {
		if mask&bit != 0 && x != y {
			out = append(out, fmt.Sprintf("%s %v (lstat %v)", name, y, x))
		}
	}
	diff(unix.STATX_TYPE, "type", fsop.TypeOf(a.Mode), fsop.TypeOf(b.Mode))
	diff(unix.STATX_MODE, "mode", fmt.Sprintf("%04o", a.Mode&07777), fmt.Sprintf("%04o", b.Mode&07777))
	diff(unix.STATX_UID, "uid", a.Uid, b.Uid)
	diff(unix.STATX_GID, "gid", a.Gid, b.Gid)
	diff(unix.STATX_SIZE, "size", a.Size, b.Size)
	diff(unix.STATX_NLINK, "nlink", a.Nlink, b.Nlink)
	diff(unix.STATX_INO, "ino", a.Ino, b.Ino)
	diff(unix.STATX_BASIC_STATS, "dev", fmt.Sprintf("%d:%d", unix.Major(a.Dev), unix.Minor(a.Dev)), fmt.Sprintf("%d:%d", unix.Major(b.Dev), unix.Minor(b.Dev)))
	return strings.Join(out, ", ")
}

// checkSymlinkSize compares a symlink's st_size with its target's length.
func (s *Snapshot) checkSymlinkSize(p string, st *unix.Stat_t, target string) {
	if st.Size != int64(len(target)) {
		s.invariant(p, fmt.Sprintf("symlink-size: st_size %d, target %d bytes", st.Size, len(target)), "the target's length", "another st_size")
	}
}

// dirCounts keeps, per directory path, its st_nlink, for checkDirNlink.
type dirCounts struct {
	nlink map[string]uint64
}

func (s *Snapshot) noteDirNlink(p string, st *unix.Stat_t) {
	if s.dirs.nlink == nil {
		s.dirs.nlink = map[string]uint64{}
	}
	s.dirs.nlink[p] = uint64(st.Nlink)
}

// subdirCount counts the subdirectories of one directory as the walk
// lists them.
type subdirCount struct {
	s       *Snapshot
	dir     string
	n       int
	counted bool // every entry's type is known
}

// countSubdirs starts the count of dir's subdirectories; listed is false
// when its listing failed (nothing is then checked).
func (s *Snapshot) countSubdirs(dir string, listed bool) *subdirCount {
	return &subdirCount{s: s, dir: dir, counted: listed}
}

// entry counts p, whose lstat is st, if it is a directory.
func (c *subdirCount) entry(p string, st *unix.Stat_t) {
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		c.n++
		c.s.noteDirNlink(p, st)
	}
}

// lost says an entry could not be stat'ed: its type is unknown.
func (c *subdirCount) lost() { c.counted = false }

// check compares the directory's link count with 2 + subdirectories.
func (c *subdirCount) check() {
	if c.counted {
		c.s.checkDirNlink(c.dir, c.n)
	}
}

// checkDirNlink compares directory dir's link count with 2 + subdirs.
func (s *Snapshot) checkDirNlink(dir string, subdirs int) {
	n, ok := s.dirs.nlink[orRoot(dir)]
	if !ok || n == 1 {
		return // not counted (see above)
	}
	if n != uint64(2+subdirs) {
		s.invariant(orRoot(dir), fmt.Sprintf("dir-nlink: st_nlink %d, %d subdirectories listed", n, subdirs), "2 + subdirectories (or 1: not counted)", "another link count")
	}
}
