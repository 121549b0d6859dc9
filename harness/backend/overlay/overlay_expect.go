package overlay

import (
	"github.com/layercheck/layercheck/harness/deviation"
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/ovlformat"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Citations from Documentation/filesystems/overlayfs.rst (Linux 6.18).
const (
	citeRenameDir = `overlayfs.rst, "Non-standard behavior" / redirect_dir: "If this feature is disabled, then rename(2) on a lower or merged directory will fail with EXDEV"; also "renaming directories" (removed by redirect_dir=on)`
	citeHardlink  = `overlayfs.rst, "Non-standard behavior" / index: "If this feature is disabled and a file with multiple hard links is copied up, then this will "break" the link. Changes will not be propagated to other names referring to the same inode." (removed by index=on)`
	citeMergedDir = `overlayfs.rst, "Directories": "Only the lists of names from directories are merged. Other content such as metadata and extended attributes are reported for the upper directory only. These attributes of the lower directory are hidden." (no option removes it)`
)

// Expectation IDs of kernel overlayfs.
const (
	ExpectRenameDirEXDEV   = deviation.RenameDirEXDEV
	ExpectCopyUpSplitsLink = deviation.CopyUpSplitsLink
	ExpectMergedDirMeta    = deviation.MergedDirMeta
)

// Expectations implements Backend: the deviations overlayfs.rst documents,
// each only under the options that keep it.
func (o *Overlay) Expectations() []backend.Expectation {
	var out []backend.Expectation
	if !o.RedirectDir() {
		out = append(out, backend.Expectation{ID: ExpectRenameDirEXDEV, Citation: citeRenameDir, Match: ovlformat.MatchRenameDirEXDEV})
	}
	if !o.Index() {
		out = append(out, backend.Expectation{ID: ExpectCopyUpSplitsLink, Citation: citeHardlink, Match: matchSplitHardlink})
	}
	out = append(out, backend.Expectation{ID: ExpectMergedDirMeta, Citation: citeMergedDir, Match: matchMergedDirMeta})
	out = append(out, timeExpectations()...)       // overlay_expect_times.go
	out = append(out, o.openFileExpectations()...) // overlay_expect_openfiles.go
	return append(out, o.inodeExpectation()...)    // overlay_inode.go
}

// matchSplitHardlink: a name that is hardlinked on the reference shows
// another link group (or count) in the merged view, or a difference in
// metadata or data that only a split link explains: either the reference
// has other names for the path and the merged view has fewer, or the path
// is hardlinked in a read-only layer and an op named it or one of its
// other names there (copying that name up alone), even if later ops
// removed the other names from the reference.
func matchSplitHardlink(f snapshot.Finding, ev *backend.Evidence) bool {
	switch f.Kind {
	case snapshot.KindLink, snapshot.KindMode, snapshot.KindOwner, snapshot.KindContent,
		// Times are the inode's too: a name copied up alone takes its own
		// (a chmod moves its ctime, a write its mtime), the other names
		// keep the lower inode's ("Changes will not be propagated").
		snapshot.KindTime,

		// An op refused on a name whose stale metadata (a chmod or chown
		// made through another name, copied up alone) still says no.
		// The failing op names the path itself, so only another name counts.
		snapshot.KindXattr:
	case snapshot.KindErrno:

		return (f.Merged == "EACCES" || f.Merged == "EPERM") && splitSibling(f.Path, ev, false)
	default:
		return false
	}
	if ev.Ref == nil || ev.Merged == nil {
		return false
	}
	re, ok1 := ev.Ref.Entries[f.Path]
	me, ok2 := ev.Merged.Entries[f.Path]
	// A split never adds links: a merged count above the reference's is a
	// stale count, not a broken link (see KnownStaleNlink).
	if f.Kind == snapshot.KindLink && ok1 && ok2 && me.Nlink > re.Nlink {
		return false
	}
	if splitSibling(f.Path, ev, true) {
		return true
	}
	if !ok1 || !ok2 || len(re.Links) == 0 || len(me.Links) >= len(re.Links) {
		return false
	}
	for _, l := range me.Links { // the merged group must be part of the reference group
		if !slices.Contains(re.Links, l) {
			return false
		}
	}
	// Names the upper holds as one inode were linked there, after any
	// copy-up: a copy-up did not split them (see KnownUpperLinkOwnInodes).
	return !upperHoldsAsOne(ev, f.Path, re.Links)
}

// splitSibling reports whether p is hardlinked in a read-only layer and an
// op named one of its other names there (or p itself, with self), copying
// that name up alone.
func splitSibling(p string, ev *backend.Evidence, self bool) bool {
	lower := ev.LowerLinks[p]
	if len(lower) == 0 {
		return false
	}
	names := lower
	if self {
		names = append([]string{p}, lower...)
	}
	for _, q := range names {
		if ev.Named[q] {
			return true
		}
	}
	return false
}

// matchMergedDirMeta: a directory whose mode, owner or xattrs were changed
// offline on a lower layer, while the runtime upper holds a copy of it,
// shows the upper copy's attributes.
func matchMergedDirMeta(f snapshot.Finding, ev *backend.Evidence) bool {
	switch f.Kind {
	case snapshot.KindMode, snapshot.KindOwner, snapshot.KindXattr:
	default:
		return false
	}
	if ev.Merged == nil || ev.Merged.Entries[f.Path].Type != "dir" {
		return false
	}
	return ev.OfflineLower[f.Path] && ev.UpperHasDir(f.Path)
}

// Known issues of kernel overlayfs: seen here, documented nowhere.
const (
	KnownStaleNlink          = "overlay/stale-nlink-of-lower-hardlink"
	KnownRmdirXattrWhiteouts = "overlay/rmdir-enotempty-over-xattr-whiteouts"
)

// KnownIssues implements KnownIssuer.
func (o *Overlay) KnownIssues() []backend.KnownIssue {
	return slices.Concat(o.renameKnownIssues(), o.permKnownIssues(), o.noFhKnownIssues(), openFileKnownIssues(), o.trustKnownIssues(), idmapKnownIssues(), modernKnownIssues(), []backend.KnownIssue{{
		ID: KnownStaleNlink,
		Summary: "when one name of a lower hardlink is deleted in a layer above (a whiteout), the other name still " +
			"reports the lower inode's st_nlink, counting a name that no longer exists (seen on 6.18 with and " +
			"without index=on; overlayfs.rst documents broken links only for copy-up)",
		Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
			if f.Kind != snapshot.KindLink || f.Field != "nlink" || ev.Ref == nil || ev.Merged == nil {
				return false
			}
			re, me := ev.Ref.Entries[f.Path], ev.Merged.Entries[f.Path]
			return me.Nlink > re.Nlink && slices.Equal(re.Links, me.Links)
		},
	}, {
		ID: KnownRmdirXattrWhiteouts,
		Summary: "rmdir(2) (and rename(2) over it) of a merged directory that lists empty fails with ENOTEMPTY when the " +
			"names of a lower layer are hidden by xattr whiteouts (zero-size files with overlay.whiteout in an " +
			"overlay.opaque=\"x\" directory of a layer above); readdir hides them, the emptiness check does not. The " +
			"same stack with 0/0 character-device whiteouts removes the directory (seen on 6.18; overlayfs.rst " +
			"presents both whiteout forms as equivalent)",
		Match: matchRmdirXattrWhiteouts,
	}})
}

// SkipReason implements ScenarioSkipper: overlayfs.rst, "Changes to
// underlying filesystems", allows offline changes to a lower layer only if
// the metacopy, index, xino and redirect_dir features were never used;
// otherwise "the behavior of the overlay is undefined".
func (o *Overlay) SkipReason(s scenario.Scenario) string {
	offlineLower := false
	for _, st := range s.Steps {
		if st.Phase == scenario.PhaseOffline && st.Layer != scenario.Upper && len(st.Ops) > 0 {
			offlineLower = true
		}
	}
	if !offlineLower {
		return ""
	}
	var used []string
	if o.RedirectDir() {
		used = append(used, "redirect_dir")
	}
	if o.Index() {
		used = append(used, "index")
	}
	if o.option("metacopy") == "on" {
		used = append(used, "metacopy")
	}
	if x := o.option("xino"); x == "on" || x == "auto" {
		used = append(used, "xino")
	}
	if len(used) == 0 {
		return ""
	}
	return `overlayfs.rst, "Changes to underlying filesystems": offline changes to a lower layer are undefined once ` +
		strings.Join(used, ", ") + ` was used; this scenario makes one`
}

// RefusesCopiedLayers implements backend.CopyRefuser: overlayfs.rst,
// "Sharing and copying layers" says that with the "index" feature a copied
// layer is refused at mount (the lower root's file handle no longer
// verifies); every other configuration mounts copies.
func (o *Overlay) RefusesCopiedLayers() string {
	if o.Index() {
		return `overlayfs.rst, "Sharing and copying layers": with index=on, a copied layer fails the lower root's file handle check at mount`
	}
	return ""
}
