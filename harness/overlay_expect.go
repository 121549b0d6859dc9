package harness

import "slices"

// Citations from Documentation/filesystems/overlayfs.rst (Linux 6.18).
const (
	citeRenameDir = `overlayfs.rst, "Non-standard behavior" / redirect_dir: "If this feature is disabled, then rename(2) on a lower or merged directory will fail with EXDEV"; also "renaming directories" (removed by redirect_dir=on)`
	citeHardlink  = `overlayfs.rst, "Non-standard behavior" / index: "If this feature is disabled and a file with multiple hard links is copied up, then this will "break" the link. Changes will not be propagated to other names referring to the same inode." (removed by index=on)`
	citeMergedDir = `overlayfs.rst, "Directories": "Only the lists of names from directories are merged. Other content such as metadata and extended attributes are reported for the upper directory only. These attributes of the lower directory are hidden." (no option removes it)`
)

// Expectation IDs of kernel overlayfs.
const (
	ExpectRenameDirEXDEV   = "overlay/rename-dir-exdev"
	ExpectCopyUpSplitsLink = "overlay/copy-up-splits-hardlinks"
	ExpectMergedDirMeta    = "overlay/merged-dir-upper-metadata"
)

// Expectations implements Backend: the deviations overlayfs.rst documents,
// each only under the options that keep it.
func (o *Overlay) Expectations() []Expectation {
	var out []Expectation
	if !o.RedirectDir() {
		out = append(out, Expectation{ID: ExpectRenameDirEXDEV, Citation: citeRenameDir, Match: matchRenameDirEXDEV})
	}
	if !o.Index() {
		out = append(out, Expectation{ID: ExpectCopyUpSplitsLink, Citation: citeHardlink, Match: matchSplitHardlink})
	}
	out = append(out, Expectation{ID: ExpectMergedDirMeta, Citation: citeMergedDir, Match: matchMergedDirMeta})
	return out
}

// matchRenameDirEXDEV: rename(2) of a directory gave EXDEV where the plain
// copy renamed it.
func matchRenameDirEXDEV(f Finding, ev *Evidence) bool {
	if f.Kind != KindErrno || f.Merged != "EXDEV" || ev.Op == nil || ev.Op.Kind() != "rename" {
		return false
	}
	return ev.SourceType == "dir"
}

// matchSplitHardlink: a name that is hardlinked on the reference shows
// another link group (or count) in the merged view, or a difference in
// metadata or data that only a split link explains: the reference has
// other names for the path and the merged view has fewer.
func matchSplitHardlink(f Finding, ev *Evidence) bool {
	if ev.Ref == nil || ev.Merged == nil {
		return false
	}
	re, ok1 := ev.Ref.Entries[f.Path]
	me, ok2 := ev.Merged.Entries[f.Path]
	if !ok1 || !ok2 || len(re.Links) == 0 || len(me.Links) >= len(re.Links) {
		return false
	}
	for _, l := range me.Links { // the merged group must be part of the reference group
		if !slices.Contains(re.Links, l) {
			return false
		}
	}
	switch f.Kind {
	case KindLink, KindMode, KindOwner, KindContent, KindXattr:
		return true
	}
	return false
}

// matchMergedDirMeta: a directory whose mode, owner or xattrs were changed
// offline on a lower layer, while the runtime upper holds a copy of it,
// shows the upper copy's attributes.
func matchMergedDirMeta(f Finding, ev *Evidence) bool {
	switch f.Kind {
	case KindMode, KindOwner, KindXattr:
	default:
		return false
	}
	if ev.Merged == nil || ev.Merged.Entries[f.Path].Type != "dir" {
		return false
	}
	return ev.OfflineLower[f.Path] && ev.UpperHasDir(f.Path)
}

// Known issues of kernel overlayfs: seen here, documented nowhere.
const KnownStaleNlink = "overlay/stale-nlink-of-lower-hardlink"

// KnownIssues implements KnownIssuer.
func (o *Overlay) KnownIssues() []KnownIssue {
	return []KnownIssue{{
		ID: KnownStaleNlink,
		Summary: "when one name of a lower hardlink is deleted in a layer above (a whiteout), the other name still " +
			"reports the lower inode's st_nlink, counting a name that no longer exists (seen on 6.18 with and " +
			"without index=on; overlayfs.rst documents broken links only for copy-up)",
		Match: func(f Finding, ev *Evidence) bool {
			if f.Kind != KindLink || f.Field != "nlink" || ev.Ref == nil || ev.Merged == nil {
				return false
			}
			re, me := ev.Ref.Entries[f.Path], ev.Merged.Entries[f.Path]
			return me.Nlink > re.Nlink && slices.Equal(re.Links, me.Links)
		},
	}}
}
