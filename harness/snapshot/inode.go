package snapshot

import (
	"fmt"
	"sort"

	"golang.org/x/sys/unix"
)

// KindInode is an inode-identity finding of the merged view: readdir's
// d_ino disagrees with st_ino, st_dev is not the same across the view,
// st_ino changed under an op that keeps the file (chmod, a write, a
// rename of it...) or across a remount, or two names that are different
// files on the reference share one (st_dev, st_ino). find -inum, tar's
// and rsync's hardlink detection, git's index and inotify rely on them.
//
// The reference is another tree on another filesystem: its inode numbers
// are never compared with the merged view's. Only relations within one
// side are: d_ino against st_ino of the same name, st_dev against the
// root's, a path's st_ino before and after, and which names are one file.
const KindInode Kind = "inode"

// Inode fields of a KindInode finding.
const (
	InodeDIno       = "d_ino"       // readdir's d_ino of the name is not its st_ino
	InodeDotDIno    = "d_ino(.)"    // a directory's "." entry is not its st_ino
	InodeDotDotDIno = "d_ino(..)"   // a directory's ".." entry is not its parent's st_ino
	InodeDev        = "st_dev"      // st_dev differs from the mount root's
	InodeShared     = "st_ino"      // two different files of the reference share (st_dev, st_ino)
	InodeChanged    = "st_ino-kept" // st_ino changed where the file stayed the same
)

// Inode is what stat(2) and getdents64(2) said of one path's identity.
type Inode struct {
	Dev, Ino uint64
	Dir      bool
	// DIno is the d_ino its parent's readdir gave the name (the root has
	// none: HasDIno false); Dot is a directory's own "." entry (0: not
	// listed, an invariant finding already).
	DIno    uint64
	HasDIno bool
	Dot     uint64
}

// Identity is the (st_dev, st_ino) of path p in the snapshot, if read.
func (s *Snapshot) Identity(p string) (Inode, bool) {
	id, ok := s.ids[p]
	return id, ok
}

// noteInode records p's stat and, with hasDIno, its d_ino.
func (s *Snapshot) noteInode(p string, dIno uint64, hasDIno bool, st *unix.Stat_t) {
	if s.ids == nil {
		s.ids = map[string]Inode{}
	}
	id := s.ids[p]
	id.Dev, id.Ino, id.Dir = st.Dev, st.Ino, st.Mode&unix.S_IFMT == unix.S_IFDIR
	id.DIno, id.HasDIno = dIno, hasDIno
	s.ids[p] = id
}

// noteDot records the "." entry of directory dir's readdir.
func (s *Snapshot) noteDot(dir string, dIno uint64) {
	if s.ids == nil {
		s.ids = map[string]Inode{}
	}
	id := s.ids[orRoot(dir)]
	id.Dot = dIno
	s.ids[orRoot(dir)] = id
}

// InodeFindings checks the identity relations within the merged view
// snapshot s: d_ino against st_ino for every name and for ".", st_dev of
// every entry against the root's, and that names sharing (st_dev, st_ino)
// are one file on ref (their Links). A name missing on ref is another
// finding's business.
//
// ".." is left aside, as overlayfs.rst's table does (its d_ino columns
// are about a directory's entries) and as unionmount-testsuite does:
// kernel overlay (6.18, all layers on one tmpfs) gives the ".." of a
// merged directory that the upper does not hold yet the d_ino of the
// parent in the lower it read first, not the parent's st_ino.
func InodeFindings(s, ref *Snapshot) []Finding {
	var out []Finding
	root, ok := s.ids["."]
	if !ok {
		return nil
	}
	for _, p := range sortedIDs(s) {
		id := s.ids[p]
		if id.HasDIno && id.DIno != id.Ino {
			out = append(out, inodeFinding(p, InodeDIno, "st_ino", fmt.Sprintf("d_ino %d, st_ino %d", id.DIno, id.Ino)))
		}
		if id.Dir && id.Dot != 0 && id.Dot != id.Ino {
			out = append(out, inodeFinding(p, InodeDotDIno, "st_ino", fmt.Sprintf(`"." has d_ino %d, st_ino %d`, id.Dot, id.Ino)))
		}
		if id.Dev != root.Dev {
			out = append(out, inodeFinding(p, InodeDev, "the root's st_dev", fmt.Sprintf("st_dev %d:%d, the root's %d:%d",
				unix.Major(id.Dev), unix.Minor(id.Dev), unix.Major(root.Dev), unix.Minor(root.Dev))))
		}
	}
	return append(collapse(s, out), sharedInodes(s, ref)...)
}

// collapse keeps, of the findings of one field on paths of one kind
// (directories, or not), the first by path, and says how many more there
// were: with layers on different filesystems every lower file shows its
// own st_dev, and a report of thousands of lines says no more than one.
func collapse(s *Snapshot, fs []Finding) []Finding {
	type key struct {
		field string
		dir   bool
	}
	first := map[key]int{}
	more := map[key]int{}
	var out []Finding
	for _, f := range fs {
		k := key{f.Field, s.ids[f.Path].Dir}
		if _, ok := first[k]; ok {
			more[k]++
			continue
		}
		first[k] = len(out)
		out = append(out, f)
	}
	for k, n := range more {
		out[first[k]].Merged += fmt.Sprintf(" (and %d more %s alike)", n, map[bool]string{true: "directories", false: "non-directories"}[k.dir])
	}
	return out
}

// sharedInodes reports names that share (st_dev, st_ino) in s although
// ref says they are different files (a directory is never one file with
// another name). Splits, the opposite, are link findings of Compare.
func sharedInodes(s, ref *Snapshot) []Finding {
	groups := map[[2]uint64][]string{}
	for _, p := range sortedIDs(s) {
		id := s.ids[p]
		groups[[2]uint64{id.Dev, id.Ino}] = append(groups[[2]uint64{id.Dev, id.Ino}], p)
	}
	var out []Finding
	for _, g := range groups {
		for i, p := range g {
			for _, q := range g[i+1:] {
				if oneFile(ref, p, q) {
					continue
				}
				out = append(out, inodeFinding(p, InodeShared, "a file of its own", "shares st_dev and st_ino with "+q))
			}
		}
	}
	return out
}

// oneFile reports whether ref holds p and q as names of one non-directory,
// or lacks either (then a missing or extra finding says what is wrong).
func oneFile(ref *Snapshot, p, q string) bool {
	ep, okp := ref.Entries[p]
	_, okq := ref.Entries[q]
	if !okp || !okq {
		return true
	}
	for _, l := range ep.Links {
		if l == q {
			return true
		}
	}
	return false
}

// InodesKept reports every path of before that after holds as the same
// type with another st_ino, unless changed(p) says something replaced it.
// Only st_ino is compared: overlay's st_dev is an anonymous device that
// every mount allocates anew.
func InodesKept(before, after *Snapshot, stage string, changed func(p string) bool) []Finding {
	var out []Finding
	for _, p := range sortedIDs(before) {
		b := before.ids[p]
		a, ok := after.ids[p]
		if !ok || a.Dir != b.Dir || changed(p) || before.Entries[p].Type != after.Entries[p].Type {
			continue
		}
		if a.Ino != b.Ino {
			f := inodeFinding(p, InodeChanged, "kept across the "+stage, fmt.Sprintf("st_ino %d, was %d", a.Ino, b.Ino))
			f.Stage = stage
			out = append(out, f)
		}
	}
	return collapse(after, out)
}

func inodeFinding(p, field, ref, merged string) Finding {
	return Finding{Kind: KindInode, Path: p, Field: field, Reference: ref, Merged: merged}
}

func sortedIDs(s *Snapshot) []string {
	out := make([]string, 0, len(s.ids))
	for p := range s.ids {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
