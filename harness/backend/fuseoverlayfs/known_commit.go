package fuseoverlayfs

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// KnownFuseOverlayfsSplitLinkUpper is what the commit check found: the
// upper does not hold what the mount showed of a lower hardlink.
const KnownFuseOverlayfsSplitLinkUpper = "fuse-overlayfs/upper-splits-what-the-mount-shows-linked"

// commitKnownIssues lists the known issues the commit check shows.
//
// Minimal case (fuse-overlayfs 1.10, as root):
//
//	mkdir -p l/d u w m; echo x > l/d/a; ln l/d/a l/d/b
//	fuse-overlayfs -o lowerdir=l,upperdir=u,workdir=w m
//	perl -e 'rename($ARGV[0], $ARGV[1]) or die' m/d/b m/d/c
//	echo y >> m/d/a; cat m/d/c          # x y: one file, one st_ino, 2 links
//	fusermount3 -u m; cat u/d/c         # x: the upper holds two files
func commitKnownIssues() []backend.KnownIssue {
	return []backend.KnownIssue{{
		ID: KnownFuseOverlayfsSplitLinkUpper,
		Summary: "after a rename(2) (or a build step) touching one name of a lower hardlink, the mount shows the names " +
			"as one file (one st_ino, a write through one shows through the other) while the upper holds a separate " +
			"copy for each: a layer committed from it, and the same mount after a remount, has two files, and what " +
			"was written through one name is lost for the other (seen with 1.10; nothing in its README or man page " +
			"says so)",
		Match: func(f snapshot.Finding, _ *backend.Evidence) bool {
			return f.Kind == snapshot.KindCommit && f.Field == "links" && f.Reference != "none" && !f.Expected()
		},
	}}
}
