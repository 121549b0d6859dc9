package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"sync"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// Entry is the canonical state of one path: everything a user of the tree
// can observe about it without following it. Fields that one filesystem
// computes differently from another by design (a directory's size and link
// count, inode numbers, times) are left out on purpose.
type Entry struct {
	Type   string            `json:"type"`             // file, dir, symlink, fifo, chardev, blockdev, socket
	Mode   string            `json:"mode"`             // permission bits with setuid, setgid, sticky, in octal
	UID    uint32            `json:"uid"`              //
	GID    uint32            `json:"gid"`              //
	Size   int64             `json:"size"`             // regular files only
	Digest string            `json:"digest,omitempty"` // files: sha256 of the content (first 16 bytes)
	Target string            `json:"target,omitempty"` // symlinks
	Rdev   string            `json:"rdev,omitempty"`   // devices: "major:minor"
	Nlink  uint64            `json:"nlink,omitempty"`  // non-directories
	Links  []string          `json:"links,omitempty"`  // the other names of the same inode in the tree, sorted
	Xattrs map[string]string `json:"xattrs,omitempty"` // every extended attribute the tree shows
	Access map[string]string `json:"access,omitempty"` // identity -> "rwx" as faccessat2(2) answers for it
}

// Snapshot is the canonical state of a tree.
type Snapshot struct {
	Entries map[string]Entry // by path relative to the root; the root is "."
	// Invariants are the contradictions seen while reading the tree: a name
	// listed twice, a listed name that cannot be stat'ed, a directory
	// without "." or "..", a d_type that disagrees with stat.
	Invariants []Finding
	inodes     map[string]uint64
	ids        map[string]Inode // inode.go: st_dev, st_ino, d_ino of every path
	stamps     map[string]stamp // set by TakeSnapshot for checkLowers
	times      map[string]Times // set by TakeSnapshot for CompareTimes (times.go)
	dirs       dirCounts        // invariants.go
	idents     map[string]ident // reuse.go: what a later snapshot's Prior compares
	reuse      *reuseState      // reuse.go: set while a snapshot with a Prior is taken
}

// SnapshotOptions say what a snapshot reads beyond the entries.
type SnapshotOptions struct {
	// Identities whose access (read, write, execute/search) to every
	// non-symlink is probed with faccessat2(2) under their credentials.
	Identities []fsop.Identity
	// Prior, if set, is an earlier snapshot of the same view whose
	// entries stand for those nothing can have changed (reuse.go).
	Prior *Prior
}

// TakeSnapshot reads the tree at dir without following any symlink.
func TakeSnapshot(dir string, opts SnapshotOptions) (*Snapshot, error) {
	// A tree viewed again has about its prior's entries: the maps are
	// made that size at once instead of growing entry by entry.
	n := 0
	if opts.Prior != nil && opts.Prior.Snap != nil {
		n = len(opts.Prior.Snap.Entries)
	}
	s := &Snapshot{Entries: make(map[string]Entry, n), inodes: make(map[string]uint64, n), ids: make(map[string]Inode, n)}
	s.startReuse(opts, n) // reuse.go
	fd, err := openNoatime(unix.AT_FDCWD, dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	root, err := s.entry(fd, ".", ".", &st)
	if err != nil {
		return nil, err
	}
	s.Entries["."] = root
	s.idents["."] = identOf(&st)
	s.noteInode(".", 0, false, &st)
	s.noteDirNlink(".", &st) // invariants.go
	s.stamps = make(map[string]stamp, n)
	s.times = make(map[string]Times, n)
	s.stamps["."], s.times["."] = stampOf(&st), timesOf(&st)
	if err := s.walk(fd, ""); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	s.linkGroups()
	if len(opts.Identities) > 0 {
		if err := s.probeAccess(dir, opts.Identities); err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", dir, err)
		}
	}
	return s, nil
}

func (s *Snapshot) invariant(p, field, want, got string) {
	s.Invariants = append(s.Invariants, Finding{Kind: KindInvariant, Path: p, Field: field, Reference: want, Merged: got})
}

// walk reads the directory open at fd, whose path is dir, recursively.
func (s *Snapshot) walk(fd int, dir string) error {
	ents, err := fsop.ReadDirents(fd)
	if err != nil {
		s.invariant(orRoot(dir), "readdir", "ok", string(fsop.OutcomeOf(err)))
	}
	seen := s.checkListing(dir, len(ents), func(i int) (string, uint64) { return ents[i].Name, ents[i].Ino })
	nl := s.countSubdirs(dir, err == nil) // invariants.go
	defer nl.check()
	for _, d := range ents {
		if d.Name == "." || d.Name == ".." {
			continue
		}
		if !seen[d.Name] {
			continue // reported above as listed twice
		}
		delete(seen, d.Name)
		p := fsop.Join(dir, d.Name)
		var st unix.Stat_t
		if err := unix.Fstatat(fd, d.Name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			s.invariant(p, "lstat", "listed name exists", string(fsop.OutcomeOf(err)))
			nl.lost()
			continue
		}
		s.stamps[p] = stampOf(&st)
		s.times[p] = timesOf(&st) // before the digest reads it
		if dt := direntType(d.Type); dt != "" && dt != fsop.TypeOf(st.Mode) {
			s.invariant(p, "d_type", fsop.TypeOf(st.Mode), dt)
		}
		reused := s.Reused()
		e, err := s.entryOf(fd, d.Name, p, &st) // reuse.go: entry, or the Prior's
		if err != nil {
			return err
		}
		if s.Reused() == reused {
			// invariants.go; an entry taken from the Prior was checked
			// there, and its lstat is the one it had (reuse.go)
			s.checkStat(fd, d.Name, p, &st)
		}
		nl.entry(p, &st)
		s.Entries[p] = e
		s.noteInode(p, d.Ino, true, &st) // inode.go
		if e.Type == "dir" {
			sub, err := openNoatime(fd, d.Name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
			if err != nil {
				s.invariant(p, "open", "ok", string(fsop.OutcomeOf(err)))
				continue
			}
			s.checkFstat(sub, p, &st)
			err = s.walk(sub, p)
			unix.Close(sub)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// checkListing notes the invariants of a directory's listing as a whole
// (a name listed twice, "." or ".." missing) and the d_ino of ".", and
// returns the names listed. ent(i) is the name and d_ino of entry i of n.
func (s *Snapshot) checkListing(dir string, n int, ent func(int) (string, uint64)) map[string]bool {
	seen := map[string]bool{}
	for i := range n {
		name, ino := ent(i)
		if name == "." {
			s.noteDot(dir, ino) // inode.go
		}
		if seen[name] {
			s.invariant(fsop.Join(dir, name), "listed", "once", "twice")
			continue
		}
		seen[name] = true
	}
	for _, dot := range []string{".", ".."} {
		if !seen[dot] {
			s.invariant(orRoot(dir), "readdir", fmt.Sprintf("lists %q", dot), "missing")
		}
	}
	return seen
}

func orRoot(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// entry builds the Entry of dirfd/name (path p) from its stat.
func (s *Snapshot) entry(dirfd int, name, p string, st *unix.Stat_t) (Entry, error) {
	e := Entry{
		Type: fsop.TypeOf(st.Mode),
		Mode: fmt.Sprintf("%04o", st.Mode&07777),
		UID:  st.Uid,
		GID:  st.Gid,
	}
	switch e.Type {
	case "file":
		e.Size = st.Size
		e.Nlink = uint64(st.Nlink)
		d, err := digestAt(dirfd, name)
		if err != nil {
			e.Digest = "unreadable: " + string(fsop.OutcomeOf(err))
		} else {
			e.Digest = d
		}
	case "symlink":
		buf := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err != nil {
			return e, fmt.Errorf("readlink %s: %w", p, err)
		}
		e.Target = string(buf[:n])
		s.checkSymlinkSize(p, st, e.Target) // invariants.go
	case "chardev", "blockdev":
		e.Rdev = fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
	}
	if e.Type != "dir" {
		e.Nlink = uint64(st.Nlink)
		s.inodes[p] = st.Ino ^ st.Dev<<48
	}
	xa, err := s.xattrsChecked(dirfd, name, p) // invariants_xattr.go
	if err != nil {
		return e, fmt.Errorf("xattrs of %s: %w", p, err)
	}
	e.Xattrs = xa
	return e, nil
}

func direntType(t uint8) string {
	switch t {
	case unix.DT_REG:
		return "file"
	case unix.DT_DIR:
		return "dir"
	case unix.DT_LNK:
		return "symlink"
	case unix.DT_FIFO:
		return "fifo"
	case unix.DT_CHR:
		return "chardev"
	case unix.DT_BLK:
		return "blockdev"
	case unix.DT_SOCK:
		return "socket"
	}
	return "" // DT_UNKNOWN: the filesystem leaves it to stat
}

// digestAt hashes the content of the regular file dirfd/name.
func digestAt(dirfd int, name string) (string, error) {
	fd, err := openNoatime(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	bp := digestBufs.Get().(*[]byte)
	defer digestBufs.Put(bp)
	h := sha256.New()
	for {
		n, err := unix.Read(fd, *bp)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", err
		}
		if n == 0 {
			break
		}
		h.Write((*bp)[:n])
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// digestBufs are read buffers for digestAt, reused: a snapshot reads
// hundreds of small files, and a fresh buffer for each was most of its cost.
var digestBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// linkGroups fills Links: the other names of each inode within the tree.
func (s *Snapshot) linkGroups() {
	byIno := map[uint64][]string{}
	for p, ino := range s.inodes {
		byIno[ino] = append(byIno[ino], p)
	}
	for _, group := range byIno {
		if len(group) < 2 {
			continue
		}
		sort.Strings(group)
		for _, p := range group {
			e := s.Entries[p]
			for _, q := range group {
				if q != p {
					e.Links = append(e.Links, q)
				}
			}
			s.Entries[p] = e
		}
	}
}

// probeAccess asks faccessat2(2), under each identity's credentials, which
// of read, write and execute/search it may do on every path. The checks are
// real permission checks of the filesystem (the merged view's own
// permission() for an overlay), not a computation from the mode bits.
func (s *Snapshot) probeAccess(dir string, ids []fsop.Identity) error {
	paths := make([]string, 0, len(s.Entries))
	for p, e := range s.Entries {
		if e.Type != "symlink" && !s.accessKept(p) { // reuse.go: taken from the Prior
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	rootfd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(rootfd)
	results := make([][]string, len(ids))
	for i, id := range ids {
		res := make([]string, len(paths))
		err := fsop.RunAs(id, func() error {
			for j, p := range paths {
				res[j] = accessString(rootfd, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		results[i] = res
	}
	for j, p := range paths {
		e := s.Entries[p]
		e.Access = make(map[string]string, len(ids))
		for i, id := range ids {
			e.Access[id.String()] = results[i][j]
		}
		s.Entries[p] = e
	}
	return nil
}

func accessString(rootfd int, p string) string {
	b := []byte("---")
	for i, m := range []uint32{unix.R_OK, unix.W_OK, unix.X_OK} {
		if unix.Faccessat2(rootfd, p, m, unix.AT_EACCESS|unix.AT_SYMLINK_NOFOLLOW) == nil {
			b[i] = "rwx"[i]
		}
	}
	return string(b)
}

// Lookup reports, for each of paths that the walk did not list, whether a
// direct lookup finds it anyway: a name that readdir hides but lstat finds
// is a deleted entry coming back through the side door.
func (s *Snapshot) Lookup(dir string, paths []string) {
	rootfd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(rootfd)
	for _, p := range paths {
		if _, ok := s.Entries[p]; ok || p == "." {
			continue
		}
		parent := path.Dir(p)
		if pe, ok := s.Entries[parent]; !ok || pe.Type != "dir" {
			continue // the parent itself is gone or not a directory
		}
		var st unix.Stat_t
		if err := unix.Fstatat(rootfd, p, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
			s.invariant(p, "lookup", "not listed, not found", "not listed, but lstat finds a "+fsop.TypeOf(st.Mode))
		}
	}
}
