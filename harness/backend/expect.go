package backend

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Expectation is a deviation from the plain-copy model that the backend's
// own documentation calls intended, with the citation. A bug is never an
// expectation: what no documentation calls intended stays a failure.
type Expectation struct {
	ID       string
	Citation string
	// Match reports whether f is this deviation, given the evidence.
	Match func(f snapshot.Finding, ev *Evidence) bool
}

// KnownIssue is a deviation of a backend that has been seen and is not
// documented as intended. It is a bug as far as layercheck is concerned:
// matching findings stay unexpected, fail their scenario and the run. The
// record only says "seen before" and why, so that a reader can tell a new
// bug from an old one.
type KnownIssue struct {
	ID      string
	Summary string // what is wrong, in a sentence
	Match   func(f snapshot.Finding, ev *Evidence) bool
	// Follows, if set, says which other findings of a scenario are what
	// a finding of this issue leaves behind (an ACL the layer could not
	// take is then absent, and the access it gave differs): a finding of
	// the scenario on the same path, or beneath it, that Follows takes is
	// tagged with the issue too (harness/knownfollow.go).
	Follows func(f snapshot.Finding) bool
}

// Evidence is what an expectation may look at to decide.
type Evidence struct {
	Ref, Merged *snapshot.Snapshot // the snapshots the finding came from (nil for errno findings)
	// Op and SourceType describe the op of an errno finding: the op, and
	// the type of its first path on the reference before it ran.
	Op         fsop.Op
	SourceType string
	// Stack is the layers of the mount the op went through, its upper
	// first (nil for an op on a plain directory, such as layer 0).
	Stack []string
	// OfflineLower holds the paths that offline steps changed on a lower
	// layer; Upper is the runtime upper directory.
	OfflineLower map[string]bool
	Upper        string
	// Lowers are the scenario's read-only layers, the bottom one first.
	Lowers []string
	// LowerLinks holds, for each path that is hardlinked in a read-only
	// layer, its other names there; Named the paths the scenario's ops name.
	LowerLinks map[string][]string
	Named      map[string]bool
	// LayerFS counts the filesystems (distinct st_dev) that hold the
	// upper and lowers of the mount the finding was seen through: 1 when
	// all layers share one, as overlayfs.rst's "Inode properties" asks.
	// Type and Nlink are the merged view's type and link count of the
	// finding's path before the op, where no snapshot has them (an inode
	// finding seen around an op).
	LayerFS int
	Type    string
	Nlink   uint64
}

// UpperHasDir reports whether the runtime upper holds p as a directory: a
// copy-up of it, or one made there.
func (ev *Evidence) UpperHasDir(p string) bool {
	if ev.Upper == "" {
		return false
	}
	t, err := fsop.OpenTree(ev.Upper)
	if err != nil {
		return false
	}
	defer t.Close()
	return fsop.TypeIn(t, p) == "dir"
}
