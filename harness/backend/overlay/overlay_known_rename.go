package overlay

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Known issues of kernel overlayfs that the rename suite found: seen here,
// documented nowhere. They stay failures (see KnownIssue).
const (
	KnownRenameOntoOtherLinkName = "overlay/rename-onto-other-name-of-lower-hardlink"
	KnownFailedRenameOpaque      = "overlay/failed-rename-leaves-opaque"
	KnownIndexHardlinkLayer      = "overlay/index-does-not-keep-links-split-in-a-layer"
)

// renameKnownIssues lists them for the options under which they were seen.
func (o *Overlay) renameKnownIssues() []backend.KnownIssue {
	var out []backend.KnownIssue
	if !o.Index() {
		out = append(out, backend.KnownIssue{
			ID: KnownRenameOntoOtherLinkName,
			Summary: "rename(2) of one name of a lower hardlink onto its other name must do nothing (POSIX: both " +
				"name the same file, and stat shows one st_ino); without index=on overlayfs renames a copy-up over " +
				"the other name and one name is gone (seen on 6.18; overlayfs.rst says only that copy-up breaks the " +
				"link so that changes do not propagate, not that a name is lost)",
			Match: matchRenameOntoOtherLinkName,
		})
	}
	if !o.RedirectDir() {
		out = append(out, backend.KnownIssue{
			ID: KnownFailedRenameOpaque,
			Summary: "rename(2) of a directory that only the upper holds into a merged parent marks it opaque in the " +
				"upper before the rename itself, and leaves the mark when the rename then fails (ENOTEMPTY over a " +
				"non-empty upper directory): a failed op changed the stack, and the directory now hides whatever a " +
				"lower layer may hold at that path (seen on 6.18 without redirect_dir; with it, mkdir makes the " +
				"directory opaque already)",
			Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
				_, isRename := ev.Op.(fsop.Rename)
				return isRename && f.Kind == snapshot.KindFailedOpCopyUp && strings.HasSuffix(f.Field, o.XattrPrefix()+"opaque") &&
					f.Reference == "absent" && f.Merged == "y"
			},
		})
	}
	if o.Index() {
		out = append(out, backend.KnownIssue{
			ID: KnownIndexHardlinkLayer,
			Summary: "with index=on a copy-up keeps a hardlink whole within one mount, through the index in that " +
				"mount's work dir; a layer built through such a mount keeps the copied-up name as a file of its own " +
				"(its index stays behind in the build's work dir), so the names split in every stack above, as " +
				"without index=on (seen on 6.18; overlayfs.rst says index=on keeps links, and says nothing of layers " +
				"built from uppers)",
			Match: matchIndexHardlinkLayer,
		})
	}
	return out
}

// matchRenameOntoOtherLinkName: a hardlinked file of the reference is
// missing from the merged view, while another of its names is there with
// the same data.
func matchRenameOntoOtherLinkName(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindMissing || ev.Ref == nil || ev.Merged == nil {
		return false
	}
	re, ok := ev.Ref.Entries[f.Path]
	if !ok || re.Type != "file" || len(re.Links) == 0 {
		return false
	}
	for _, l := range re.Links {
		if me, ok := ev.Merged.Entries[l]; ok && me.Type == "file" && me.Digest == re.Digest {
			return true
		}
	}
	return false
}

// matchIndexHardlinkLayer: a name's hardlink group in the merged view is a
// strict part of the reference's, and a name of the reference's group is
// a file of a built layer: the split was made while building that layer. The
// finding is the split itself (link) or what the names left behind show
// for it: the mode, owner, data or xattrs, and so the access, of the inode
// before the change made through another name (the permissions suite).
func matchIndexHardlinkLayer(f snapshot.Finding, ev *backend.Evidence) bool {
	switch f.Kind {
	case snapshot.KindLink, snapshot.KindMode, snapshot.KindOwner, snapshot.KindContent, snapshot.KindXattr, snapshot.KindAccess:
	default:
		return false
	}
	if ev.Ref == nil || ev.Merged == nil || ev.Upper == "" {
		return false
	}
	re, ok1 := ev.Ref.Entries[f.Path]
	me, ok2 := ev.Merged.Entries[f.Path]
	if !ok1 || !ok2 || len(me.Links) >= len(re.Links) {
		return false
	}
	for _, l := range me.Links {
		if !slices.Contains(re.Links, l) {
			return false
		}
	}
	// The split was made while building a layer when a name of the group
	// is a file of a built layer (k >= 1): there its copy-up left it
	// unlinked from the names below, and no index outlives that build.
	// A split made only at runtime, with every name still in the base or
	// the upper, is not this issue: index=on is there to prevent it.
	for _, p := range append([]string{f.Path}, re.Links...) {
		for _, l := range ev.Lowers[min(1, len(ev.Lowers)):] {
			if st, err := os.Lstat(filepath.Join(l, p)); err == nil && st.Mode().IsRegular() {
				return true
			}
		}
	}
	return false
}
