package snapshot

import (
	"fmt"
	"sort"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// KindTime is a timestamp that differs from the reference's: a copy-up
// that did not keep mtime or atime (or kept them rounded), a metadata op
// that moved mtime, a read that moved mtime, a directory whose mtime stayed
// while children came and went, a ctime that moved or stayed apart from
// the reference's. Field is "mtime", "atime" or "ctime".
const KindTime Kind = "time"

// ChangedTime is how a time reads that no op set explicitly: the kernel set
// it, at some moment of the run, which the reference and the merged view
// do not share; only that it changed since the last known value compares.
const ChangedTime = "changed since the last known value"

// Times are an entry's timestamps as lstat(2) gave them, taken before the
// snapshot read the entry.
type Times struct {
	Atime, Mtime, Ctime unix.Timespec
}

func timesOf(st *unix.Stat_t) Times { return Times{Atime: st.Atim, Mtime: st.Mtim, Ctime: st.Ctim} }

// TimesOf returns the times the snapshot recorded for p (a path snapshot
// records none).
func (s *Snapshot) TimesOf(p string) (Times, bool) {
	t, ok := s.times[p]
	return t, ok
}

// TimePolicy says how CompareTimes reads the times of both snapshots.
type TimePolicy struct {
	// CtimeSince is the last moment before the ops under test: a ctime
	// after it reads "changed", at or before it "unchanged". ctime cannot
	// be set, so only that compares.
	CtimeSince unix.Timespec
	// NoSymlinkAtime leaves the atime of symlinks out: under strictatime
	// every readlink(2) moves it, the snapshots' own included (no open
	// flag keeps it, as O_NOATIME does for files and directories).
	NoSymlinkAtime bool
}

// TimeClass is how CompareTimes reads an atime or mtime: the exact value
// when it is a known one (fsop.KnownTimesEnd: set explicitly by an op, or
// kept from one by a copy), with the layer whose stamp it is; ChangedTime
// otherwise.
func TimeClass(ts unix.Timespec) string {
	if ts.Sec >= fsop.KnownTimesEnd {
		return ChangedTime
	}
	st := fsop.Stamp{Sec: ts.Sec, Nsec: ts.Nsec}
	if k, which, ok := fsop.StampLayer(st); ok {
		return fmt.Sprintf("%s (layer %d's %s)", st, k, which)
	}
	return st.String()
}

// ctimeClass reads a ctime against the policy.
func (p TimePolicy) ctimeClass(ts unix.Timespec) string {
	if ts.Sec > p.CtimeSince.Sec || ts.Sec == p.CtimeSince.Sec && ts.Nsec > p.CtimeSince.Nsec {
		return "changed"
	}
	return "unchanged"
}

// CompareTimes compares the times of every entry both snapshots hold with
// the same type, as TimeClass and the policy read them, into KindTime
// findings. The root is left out: a merged view shows the times of the
// upper directory the harness made (overlayfs.rst, "Directories": a merged
// directory's metadata is the upper one's), not of any layer.
func CompareTimes(ref, got *Snapshot, pol TimePolicy) []Finding {
	paths := make([]string, 0, len(ref.times))
	for p := range ref.times {
		if _, ok := got.times[p]; ok && p != "." && ref.Entries[p].Type == got.Entries[p].Type {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var out []Finding
	for _, p := range paths {
		rt, gt := ref.times[p], got.times[p]
		pairs := [][3]string{
			{"mtime", TimeClass(rt.Mtime), TimeClass(gt.Mtime)},
			{"atime", TimeClass(rt.Atime), TimeClass(gt.Atime)},
			{"ctime", pol.ctimeClass(rt.Ctime), pol.ctimeClass(gt.Ctime)},
		}
		if pol.NoSymlinkAtime && ref.Entries[p].Type == "symlink" {
			pairs = append(pairs[:1], pairs[2])
		}
		for _, c := range pairs {
			if c[1] != c[2] {
				out = append(out, Finding{Kind: KindTime, Path: p, Field: c[0], Reference: c[1], Merged: c[2]})
			}
		}
	}
	return out
}

// openNoatime opens dirfd/name with O_NOATIME, so that reading a tree for
// a snapshot (its directories and files) moves no atime under strictatime:
// a later snapshot, or the other side, would see the harness's own reads.
// Only the owner or CAP_FOWNER may ask for it; anyone else gets a plain open.
func openNoatime(dirfd int, name string, flags int) (int, error) {
	fd, err := unix.Openat(dirfd, name, flags|unix.O_NOATIME, 0)
	if err == unix.EPERM {
		fd, err = unix.Openat(dirfd, name, flags, 0)
	}
	return fd, err
}
