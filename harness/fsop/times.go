package fsop

import (
	"fmt"
	"path"
	"time"

	"golang.org/x/sys/unix"
)

// Stamp is one timestamp an op sets: seconds and nanoseconds since the
// epoch, or one of the special values Now and Omit (utimensat(2)'s
// UTIME_NOW and UTIME_OMIT in Nsec).
type Stamp struct {
	Sec  int64 `json:"sec"`
	Nsec int64 `json:"nsec"`
}

// The special stamps of utimensat(2).
var (
	Now  = Stamp{Nsec: unix.UTIME_NOW}
	Omit = Stamp{Nsec: unix.UTIME_OMIT}
)

func (s Stamp) String() string {
	switch s {
	case Now:
		return "now"
	case Omit:
		return "omit"
	}
	return time.Unix(s.Sec, s.Nsec).UTC().Format("2006-01-02T15:04:05.000000000Z")
}

func (s Stamp) timespec() unix.Timespec { return unix.Timespec{Sec: s.Sec, Nsec: s.Nsec} }

// Known times are the ones the harness and its scenarios set explicitly:
// all of them lie before KnownTimesEnd, long before any clock a test runs
// under, so a time stat(2) reports is either a known value (set by an op,
// or kept from one by a copy) or one the kernel set while the test ran.
var KnownTimesEnd = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// LayerStamps are the known times every entry a layer's ops touched gets
// once the layer's content is in place (layer 0: every entry of the base).
// They differ from layer to layer, atime from mtime, and have a non-zero
// nanosecond part, so a time that a copy rounded, or took from the wrong
// layer, shows as another value.
func LayerStamps(k int) (atime, mtime Stamp) {
	day := int64(86400)
	base := int64(978307200) + int64(k)*day // 2001-01-01 plus k days
	return Stamp{Sec: base + 3600, Nsec: int64(987654321 - k)}, Stamp{Sec: base, Nsec: int64(123456789 + k)}
}

// StampLayer says which layer's stamp t is (see LayerStamps), if any.
func StampLayer(t Stamp) (layer int, which string, ok bool) {
	if t.Sec < 978307200 || t.Sec >= KnownTimesEnd {
		return 0, "", false
	}
	k := int((t.Sec - 978307200) / 86400)
	a, m := LayerStamps(k)
	switch t {
	case a:
		return k, "atime", true
	case m:
		return k, "mtime", true
	}
	return 0, "", false
}

// Utimens sets the access and modification times of Path with
// utimensat(2): each an explicit Stamp, Now or Omit. NoFollow
// (AT_SYMLINK_NOFOLLOW) sets a symlink's own times; otherwise a symlink in
// the last component is followed, beneath the tree. Who may do it is
// utimensat's rule: the owner (or CAP_FOWNER) may set any times, a user
// with write access only Now for both, others get EPERM or EACCES.
type Utimens struct {
	Path         string
	Atime, Mtime Stamp
	NoFollow     bool `json:",omitempty"`
	By
}

func (o Utimens) Kind() string    { return "utimens" }
func (o Utimens) Paths() []string { return []string{o.Path} }

// Shell calls utimensat(2) itself through perl's syscall (x86_64 number
// 280), as Rename does for renameat2: touch(1) cannot omit one time while
// setting the other to an explicit value, nor pass UTIME_NOW explicitly.
func (o Utimens) Shell() string {
	flags := 0
	if o.NoFollow {
		flags = unix.AT_SYMLINK_NOFOLLOW
	}
	return asShell(o.By, fmt.Sprintf(`perl -e 'my $t = pack("q4", %d, %d, %d, %d); syscall(280, -100, $ARGV[0], $t, %d) == 0 or die "utimensat: $!\n"' -- %s`,
		o.Atime.Sec, o.Atime.Nsec, o.Mtime.Sec, o.Mtime.Nsec, flags, Quote(o.Path)))
}

func (o Utimens) apply(t *Tree) error {
	ts := []unix.Timespec{o.Atime.timespec(), o.Mtime.timespec()}
	flags := unix.AT_EMPTY_PATH
	if o.NoFollow {
		flags |= unix.AT_SYMLINK_NOFOLLOW
	}
	return t.WithPath(o.Path, !o.NoFollow, func(fd int) error { return unix.UtimesNanoAt(fd, "", ts, flags) })
}

// ReadFile opens the regular file Path (no symlink followed), reads it to
// the end and closes it: the read that POSIX says updates st_atime.
type ReadFile struct {
	Path string
	By
}

func (o ReadFile) Kind() string    { return "read" }
func (o ReadFile) Paths() []string { return []string{o.Path} }
func (o ReadFile) Shell() string {
	return asShell(o.By, fmt.Sprintf("cat -- %s >/dev/null", Quote(o.Path)))
}

func (o ReadFile) apply(t *Tree) error {
	fd, err := t.OpenAt(o.Path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0) // see writeAt
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return err
		}
	}
}

// TouchedPaths lists the paths ops name and those paths' parents, without
// the root, once each, in order: what a layer's ops may have changed, and
// what gets the layer's known times once its content is in place.
func TouchedPaths(ops []Op) []string {
	var out []string
	seen := map[string]bool{".": true}
	for _, op := range ops {
		for _, p := range op.Paths() {
			p = CleanRel(p)
			for _, q := range []string{p, path.Dir(p)} {
				if !seen[q] {
					seen[q] = true
					out = append(out, q)
				}
			}
		}
	}
	return out
}

// StampOps are the Utimens ops that give each of paths (itself, never a
// symlink's target) layer k's known times.
func StampOps(k int, paths []string) []Op {
	a, m := LayerStamps(k)
	out := make([]Op, len(paths))
	for i, p := range paths {
		out[i] = Utimens{Path: p, Atime: a, Mtime: m, NoFollow: true}
	}
	return out
}
