package harness

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// checkInodes adds the inode-identity findings of the merged view
// (snapshot.KindInode): within each snapshot, and st_ino of every path
// across the remount unless an offline step replaced it.
func (r *scenarioRun) checkInodes(ref1, merged1, ref2, merged2 *snapshot.Snapshot) {
	r.add("runtime", snapshot.InodeFindings(merged1, ref1), merged1, ref1)
	r.add("remount", snapshot.InodeFindings(merged2, ref2), merged2, ref2)
	if rn, ok := r.cfg.Backend.(backend.InodeRenewer); !ok || !rn.RenewsInodes() {
		r.add("remount", snapshot.InodesKept(merged1, merged2, "remount", r.changedOffline()), merged2, ref2)
	}
}

// changedOffline reports whether an offline step named p or a directory
// above it: such a path may rightly be another file after the remount.
func (r *scenarioRun) changedOffline() func(p string) bool {
	named := map[string]bool{}
	for _, st := range r.s.Steps {
		if st.Phase != scenario.PhaseOffline {
			continue
		}
		for _, op := range st.Ops {
			for _, p := range op.Paths() {
				named[fsop.CleanRel(p)] = true
			}
		}
	}
	return func(p string) bool {
		for q := p; ; q = parentOf(q) {
			if named[q] {
				return true
			}
			if q == "." {
				return false
			}
		}
	}
}

func parentOf(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return "."
}

// identity is a path's st_ino and type as seen through the mount.
type identity struct {
	ino, nlink uint64
	typ        string
}

// keptPaths pairs, for an op that keeps the identity of what it acts on,
// each path before the op with the path that must show the same st_ino
// after it: the path itself for chmod, chown, xattrs and writes; the new
// name for a rename (both ways for an exchange); both names for a link.
func keptPaths(op fsop.Op) [][2]string {
	switch o := op.(type) {
	case fsop.Chmod, fsop.Chown, fsop.Lchown, fsop.SetXattr, fsop.RemoveXattr, fsop.WriteFile, fsop.Append, fsop.Truncate:
		p := op.Paths()[0]
		return [][2]string{{p, p}}
	case fsop.Rename:
		out := [][2]string{{o.From, o.To}}
		if o.Flags&unix.RENAME_EXCHANGE != 0 {
			out = append(out, [2]string{o.To, o.From})
		}
		return out
	case fsop.Link:
		return [][2]string{{o.Old, o.Old}, {o.Old, o.New}}
	}
	return nil
}

// identitiesBefore stats, through the mount, the paths op must keep.
func (r *scenarioRun) identitiesBefore(sut *fsop.Tree, op fsop.Op) map[string]identity {
	if r.mounted == nil {
		return nil // a plain directory (layer 0): nothing layered to check
	}
	out := map[string]identity{}
	for _, pair := range keptPaths(op) {
		if id, ok := statIdentity(sut, pair[0]); ok {
			out[pair[0]] = id
		}
	}
	return out
}

func statIdentity(t *fsop.Tree, p string) (identity, bool) {
	var st unix.Stat_t
	err := t.WithPath(p, false, func(fd int) error { return unix.Fstat(fd, &st) })
	if err != nil {
		return identity{}, false
	}
	return identity{ino: st.Ino, nlink: uint64(st.Nlink), typ: fsop.TypeOf(st.Mode)}, true
}

// checkKept reports every path whose st_ino op changed although it kept
// the file (overlayfs.rst, "Inode properties": "Persistent st_ino"). Only
// an op that succeeded on both sides is looked at.
func (r *scenarioRun) checkKept(phase string, sut *fsop.Tree, op fsop.Op, m fsop.Outcome, before map[string]identity) {
	if m != fsop.OK || len(before) == 0 {
		return
	}
	var fs []snapshot.Finding
	typ, nlink := "", uint64(0)
	for _, pair := range keptPaths(op) {
		b, ok := before[pair[0]]
		a, ok2 := statIdentity(sut, pair[1])
		if !ok || !ok2 || a.typ != b.typ || a.ino == b.ino {
			continue
		}
		typ, nlink = a.typ, b.nlink
		fs = append(fs, snapshot.Finding{Kind: snapshot.KindInode, Path: pair[1], Field: snapshot.InodeChanged,
			Reference: "kept by " + op.Kind(), Merged: fmt.Sprintf("st_ino %d, was %d (of %s)", a.ino, b.ino, pair[0]),
			Stage: phase, Op: op.Shell()})
	}
	if len(fs) == 0 {
		return
	}
	r.explain(fs, &backend.Evidence{Op: op, Stack: r.stack, LowerLinks: r.lowerLinks, Named: r.namedFor(op),
		LayerFS: r.layout.filesystems, Type: typ, Nlink: nlink})
	r.findings = append(r.findings, fs...)
}

// countFilesystems counts the distinct st_dev of dirs (a mount's upper
// and lowers); a directory that cannot be stat'ed counts as its own.
func countFilesystems(dirs []string) int {
	devs := map[uint64]bool{}
	for i, d := range dirs {
		var st unix.Stat_t
		if unix.Stat(d, &st) != nil {
			devs[^uint64(i)] = true
			continue
		}
		devs[st.Dev] = true
	}
	return len(devs)
}
