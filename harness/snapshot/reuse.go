package snapshot

import (
	"maps"
	"path"

	"golang.org/x/sys/unix"
)

// Prior lets a snapshot take what it would read of an entry (a file's
// digest, a symlink's target, the extended attributes, the access matrix)
// from an earlier snapshot of the same view, where nothing can have
// changed it: the entry lies beyond everything the caller says an op can
// have reached, and its cheap identity (what lstat(2) says: type, mode,
// owner, size, mtime, ctime, link count, st_ino, st_rdev) is the one the
// earlier snapshot recorded for the same path. Every entry is still listed
// and stat'ed, so what is missing, extra, moved or changed in any way that
// stat shows still gets read in full and compared. The statx cross-check
// of invariants.go is not made again for an entry taken from the Prior:
// the Prior's own walk made it, on the same identity.
//
// Access is taken only where it cannot differ either: the entry's own
// identity is unchanged and every directory above it has the mode, owner
// and extended attributes (ACLs) of the earlier snapshot's, since a path's
// access is the search right on each of them and the entry's own bits.
//
// The earlier snapshot must be of the same backend with the same options,
// layout and stack depth over the same base directory, and taken with the
// same identities (harness/baseview.go makes sure of it): an st_ino is only
// comparable within one backend's way of numbering, and st_dev is left out
// because a mount allocates its own.
type Prior struct {
	Snap *Snapshot
	// Reached reports whether an op can have reached path p (what it
	// names, what lies beneath, the directories above): such a path is
	// always read in full.
	Reached func(p string) bool
	// SameInode says the tree's non-directories are hardlinks of the
	// prior's, and nothing changes a non-directory of either in place
	// (it is removed and made anew): a non-directory with the prior's
	// st_dev, st_ino, type, mode, owner, size and mtime at the same path
	// is the prior's, whatever its ctime and link count (making the
	// hardlinks moves both). Directories are always read in full. A
	// commit check's image is a link farm of this kind (commitbase.go).
	SameInode bool
	// Idents, if set, stand for Snap's identities: the tree viewed now is a
	// copy (fsop.CopyTree) of the one Snap viewed, made before anything
	// else touched it, and Idents are its entries' identities taken right
	// after the copy. An entry that still has them holds what the copy
	// gave it, Snap's content: every change of data, metadata or xattrs
	// moves its ctime. Entries whose identity the view shows otherwise (a
	// directory whose link count the view computes) are read in full.
	Idents *Idents
}

// Idents are the identities (ident) of every entry of a tree but its root,
// as lstat(2) gives them.
type Idents struct{ m map[string]ident }

// TakeIdents lstats every entry of the tree at dir.
func TakeIdents(dir string) (*Idents, error) {
	fd, err := openNoatime(unix.AT_FDCWD, dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	out := &Idents{m: map[string]ident{}}
	return out, lstatWalk(fd, "", func(p string, st *unix.Stat_t) { out.m[p] = identOf(st) })
}

// ident is an entry's cheap identity: every stat(2) field that a change of
// its data, metadata or xattrs moves (a write moves mtime and ctime, a
// chmod, chown, setxattr or link moves ctime), and the inode number.
type ident struct {
	mode, uid, gid uint32
	size           int64
	nlink          uint64
	ino, rdev      uint64
	mtime, ctime   unix.Timespec
	dev            uint64 // compared only for Prior.SameInode: a mount allocates its own
}

func identOf(st *unix.Stat_t) ident {
	return ident{mode: st.Mode, uid: st.Uid, gid: st.Gid, size: st.Size, nlink: uint64(st.Nlink),
		ino: st.Ino, rdev: st.Rdev, mtime: st.Mtim, ctime: st.Ctim, dev: st.Dev}
}

// sameAs reports whether the entry identified as a is the one identified
// as b (before): under sameInode the very inode (st_dev, st_ino) with its
// data and metadata, else every field but st_dev.
func (a ident) sameAs(b ident, sameInode bool) bool {
	if sameInode {
		return a.dev == b.dev && a.mode&unix.S_IFMT != unix.S_IFDIR &&
			a.mode == b.mode && a.uid == b.uid && a.gid == b.gid && a.size == b.size &&
			a.ino == b.ino && a.rdev == b.rdev && a.mtime == b.mtime
	}
	a.dev, b.dev = 0, 0
	return a == b
}

// reuseState is what a snapshot with a Prior keeps while it walks.
type reuseState struct {
	prior    *Prior
	access   bool            // identities are probed: Access may be taken
	searchOK map[string]bool // directory -> every directory down to it searches as before
	kept     map[string]bool // paths whose Access came from the prior
	reused   int
}

// Reused is the number of entries whose content the snapshot took from
// its Prior instead of reading it.
func (s *Snapshot) Reused() int {
	if s.reuse == nil {
		return 0
	}
	return s.reuse.reused
}

// startReuse readies the walk to take entries from opts.Prior.
// n is the size its maps are made with.
func (s *Snapshot) startReuse(opts SnapshotOptions, n int) {
	s.idents = make(map[string]ident, n)
	if opts.Prior == nil || opts.Prior.Snap == nil || opts.Prior.Snap.idents == nil {
		return
	}
	s.reuse = &reuseState{prior: opts.Prior, searchOK: map[string]bool{}, kept: make(map[string]bool, n),
		access: len(opts.Identities) > 0 && sameIdentities(opts.Prior.Snap, len(opts.Identities))}
}

// sameIdentities reports whether prior was probed for n identities (the
// caller passes the same list; a prior without probes gives no access).
func sameIdentities(prior *Snapshot, n int) bool {
	e, ok := prior.Entries["."]
	return ok && len(e.Access) == n
}

// entryOf is entry, or the prior's entry of p where nothing can have
// changed it; every entry's identity is recorded for later snapshots.
func (s *Snapshot) entryOf(dirfd int, name, p string, st *unix.Stat_t) (Entry, error) {
	id := identOf(st)
	s.idents[p] = id
	pe, ok := s.unchanged(p, id)
	if !ok {
		return s.entry(dirfd, name, p, st)
	}
	e := pe
	e.Links = nil // linkGroups computes them from this walk's inode numbers
	e.Access = nil
	if e.Type != "dir" {
		e.Nlink = uint64(st.Nlink) // moves under SameInode
	}
	if s.reuse.access && s.searchable(path.Dir(p)) && pe.Access != nil {
		e.Access = pe.Access // shared, never changed in place: probeAccess makes new maps
		s.reuse.kept[p] = true
	}
	if e.Type != "dir" {
		s.inodes[p] = st.Ino ^ st.Dev<<48
	}
	s.reuse.reused++
	return e, nil
}

// unchanged returns the prior's entry of p if p is beyond every op's reach
// and its identity is the prior's.
func (s *Snapshot) unchanged(p string, id ident) (Entry, bool) {
	if s.reuse == nil || s.reuse.prior.Reached == nil || s.reuse.prior.Reached(p) {
		return Entry{}, false
	}
	prior := s.reuse.prior.Snap
	idents := prior.idents
	if s.reuse.prior.Idents != nil {
		idents = s.reuse.prior.Idents.m
	}
	if pid, ok := idents[p]; !ok || !id.sameAs(pid, s.reuse.prior.SameInode) {
		return Entry{}, false
	}
	e, ok := prior.Entries[p]
	return e, ok
}

// searchable reports whether dir and every directory above it have the
// mode, owner and xattrs (ACLs) they had in the prior: then searching
// them is allowed or refused to each identity as it was.
func (s *Snapshot) searchable(dir string) bool {
	if ok, done := s.reuse.searchOK[dir]; done {
		return ok
	}
	ok := dir == "." || s.searchable(path.Dir(dir))
	if ok {
		a, inS := s.Entries[dir]
		b, inPrior := s.reuse.prior.Snap.Entries[dir]
		ok = inS && inPrior && a.Type == "dir" && b.Type == "dir" && a.Mode == b.Mode &&
			a.UID == b.UID && a.GID == b.GID && maps.Equal(a.Xattrs, b.Xattrs)
	}
	s.reuse.searchOK[dir] = ok
	return ok
}

// accessKept reports whether p's Access came from the prior (probeAccess
// leaves it).
func (s *Snapshot) accessKept(p string) bool { return s.reuse != nil && s.reuse.kept[p] }
