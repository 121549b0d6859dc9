package overlay

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Known issues of kernel overlayfs that the time scenarios found: seen
// here, documented nowhere. They stay failures (see KnownIssue).
const (
	KnownCopyUpMovesDirCtime  = "overlay/copy-up-moves-ctime-of-parent-directories"
	KnownLowerDirReaddirAtime = "overlay/readdir-of-lower-directory-keeps-atime"
)

func timeKnownIssues() []backend.KnownIssue {
	return []backend.KnownIssue{{
		ID: KnownCopyUpMovesDirCtime,
		Summary: "a directory copied up only because something beneath it changed (the parents of a chmod'ed, " +
			"written or new entry) shows a new st_ctime: the upper copy is a new inode, and ctime cannot be " +
			"set, so the copy-up moves it though nothing about the directory changed; its mtime and atime are " +
			"kept (seen on 6.18: `chmod 600 m/a/b/f` with a/b/f in the lower moves the ctime of m/a and m/a/b; " +
			"overlayfs.rst says nothing of ctime)",
		Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
			return f.Kind == snapshot.KindTime && f.Field == "ctime" && f.Reference == "unchanged" && f.Merged == "changed" &&
				ev.UpperHasDir(f.Path)
		},
	}, {
		ID: KnownLowerDirReaddirAtime,
		Summary: "listing a directory that is only in a lower layer does not move its st_atime under strictatime " +
			"(overlayfs forwards atime updates to the upper only); overlayfs.rst, \"Non-standard behavior\" (a), " +
			"names reads of a file on a lower layer, which may or may not mean this (seen on 6.18: " +
			"`ls m/etc/ssh` on a strictatime mount keeps the lower directory's atime)",
		Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
			return f.Kind == snapshot.KindTime && f.Field == "atime" && f.Reference == snapshot.ChangedTime &&
				f.Merged != snapshot.ChangedTime && ev.Merged != nil && ev.Merged.Entries[f.Path].Type == "dir" && !ev.UpperHasDir(f.Path)
		},
	}}
}
