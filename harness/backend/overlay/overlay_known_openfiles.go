package overlay

import (
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Known issues of kernel overlayfs that the openfiles suite found: seen
// here, documented nowhere. They stay failures (see KnownIssue).
const (
	KnownUnlinkedLowerNlink = "overlay/fstat-of-unlinked-lower-file-counts-its-name"
)

// openFileKnownIssues lists them (seen with every option set).
//
// Minimal case (Linux 6.18, any options): a file of a lower layer opened
// read-only, then its name unlinked through the merged view; fstat(2) of
// the descriptor reports st_nlink 1 (the lower inode's count, which the
// unlink could not change) where a plain filesystem reports 0:
//
//	exec 3< m/etc/hostname; rm m/etc/hostname; stat -L -c %h /proc/self/fd/3   # 1, plain: 0
func openFileKnownIssues() []backend.KnownIssue {
	return []backend.KnownIssue{{
		ID: KnownUnlinkedLowerNlink,
		Summary: "fstat(2) of a descriptor of a lower file whose name was then unlinked (or replaced by a rename) " +
			"reports st_nlink 1, the lower inode's count, where a plain filesystem reports 0: a program that checks " +
			"st_nlink to learn that its file was deleted (a log writer, a lock file) never learns it (seen on 6.18; " +
			"overlayfs.rst says nothing of st_nlink of open files)",
		Match: matchUnlinkedLowerNlink,
	}}
}

// matchUnlinkedLowerNlink: an fstat through a descriptor that differs from
// the reference's in st_nlink alone, 0 on the reference and 1 merged.
func matchUnlinkedLowerNlink(f snapshot.Finding, ev *backend.Evidence) bool {
	if _, ok := ev.Op.(fsop.FstatFD); !ok || f.Kind != snapshot.KindErrno {
		return false
	}
	ref, ok := strings.CutSuffix(f.Reference, " nlink=0")
	if !ok {
		return false
	}
	merged, ok := strings.CutSuffix(f.Merged, " nlink=1")
	return ok && ref == merged && strings.HasPrefix(ref, "ok file ")
}
