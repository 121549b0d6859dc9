package ovlformat

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// MatchRenameDirEXDEV: rename(2) gave EXDEV, and what it moves is a lower
// or merged directory of the mount it went through (see ovlLowerDir): the
// source, or with RENAME_EXCHANGE, which moves both names, the target. A
// directory only the upper holds must move, and EXDEV for it stays a
// failure, as does EXDEV for anything but a directory.
//
// The documented EXDEV also stands where the plain copy would have failed
// otherwise: overlayfs refuses to move the directory before it looks at the
// target, so renaming a lower directory over a non-empty one gives EXDEV
// where the plain copy says ENOTEMPTY. Both leave the tree as it was. The
// checks of the VFS come first on both (permission, sticky directory,
// ENOTDIR, EISDIR, EINVAL for a move into its own subtree, EEXIST with
// RENAME_NOREPLACE), so their errno must be the plain copy's.
func MatchRenameDirEXDEV(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindErrno || f.Merged != "EXDEV" {
		return false
	}
	op, ok := ev.Op.(fsop.Rename)
	if !ok {
		return false
	}
	if ovlLowerDir(ev.Stack, op.From) {
		return true
	}
	return op.Flags&unix.RENAME_EXCHANGE != 0 && ovlLowerDir(ev.Stack, op.To)
}
