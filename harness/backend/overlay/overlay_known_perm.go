package overlay

import (
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// Known issues of kernel overlayfs that the permissions suite found: seen
// here, documented nowhere. They stay failures (see KnownIssue).
const (
	KnownUpperLinkOwnInodes = "overlay/upper-hardlink-names-keep-own-inodes-without-file-handles"
)

// permKnownIssues lists them.
func (o *Overlay) permKnownIssues() []backend.KnownIssue {
	return []backend.KnownIssue{{
		ID: KnownUpperLinkOwnInodes,
		Summary: "a hardlink made through the merged view to a file copied up from a lower layer is one inode in the " +
			"upper, but where overlayfs cannot encode file handles (a rootless mount: no CAP_DAC_READ_SEARCH in the " +
			"initial namespace, so the copy-up origin is recorded empty; a lower layer that is itself an overlay without " +
			"nfs_export, the nested layout) each name, of a file, symlink or fifo alike, gets an overlay inode of its own: " +
			"st_ino differs between the names until a remount, and a chmod or chown through one name leaves the " +
			"other name's cached mode and owner in place; stat of the other name shows the new mode, read from the " +
			"upper, while its permission checks still grant what the old mode granted (seen on 6.18, rootless with " +
			"userxattr: `ln lower new; chmod 600 new` and another user may still read lower, testdata/rootless-no-file-handles.sh; overlayfs.rst promises " +
			"persistent st_ino with all layers on one filesystem, and permission checks that do not change with copy-up)",
		Match: matchUpperLinkOwnInodes,
	}}
}

// matchUpperLinkOwnInodes: the runtime upper holds the path and every other
// name of its reference link group as one inode, and the finding is that
// group seen apart: a link, access, mode or owner difference while mounted
// (the merged view shows fewer names in the group), or the same fields
// changing across the remount that joins them again; or the link op that
// made the names showing them with different st_ino (linkKeptByUpperAsOne).
func matchUpperLinkOwnInodes(f snapshot.Finding, ev *backend.Evidence) bool {
	if linkKeptByUpperAsOne(f, ev) {
		return true
	}
	if ev.Ref == nil || ev.Merged == nil {
		return false
	}
	re, ok := ev.Ref.Entries[f.Path]
	if !ok || len(re.Links) == 0 {
		return false
	}
	switch f.Kind {
	case snapshot.KindLink, snapshot.KindAccess, snapshot.KindMode, snapshot.KindOwner:
		if len(ev.Merged.Entries[f.Path].Links) >= len(re.Links) {
			return false
		}
	case snapshot.KindPersistence:
		field, _, _ := strings.Cut(f.Field, " ")
		if !slices.Contains([]snapshot.Kind{snapshot.KindLink, snapshot.KindAccess, snapshot.KindMode, snapshot.KindOwner}, snapshot.Kind(field)) {
			return false
		}
	default:
		return false
	}
	return upperHoldsAsOne(ev, f.Path, re.Links)
}

// upperHoldsAsOne reports whether the runtime upper holds p and every one
// of others, all as the same non-directory inode: names linked in the
// upper itself, after any copy-up, which no copy-up can have split. Any
// type that takes hardlinks counts: a symlink or a fifo linked through a
// rootless mount or a nested one is split the same way as a file.
//
// Nested layout, minimal case (6.18), a symlink as a file:
//
//	ln -s t l0/s; mount -t overlay o -o lowerdir=l0,upperdir=nu,workdir=nw n
//	mount -t overlay o -o lowerdir=n,upperdir=u,workdir=wu m
//	ln -P m/s m/s.link; stat -c %i m/s m/s.link   # two numbers; u/s and u/s.link one inode
//	umount m; mount ... m; stat -c %i m/s m/s.link # one number
func upperHoldsAsOne(ev *backend.Evidence, p string, others []string) bool {
	if ev.Upper == "" {
		return false
	}
	t, err := fsop.OpenTree(ev.Upper)
	if err != nil {
		return false
	}
	defer t.Close()
	var first unix.Stat_t
	for i, q := range append([]string{p}, others...) {
		var st unix.Stat_t
		err := t.WithParent(q, func(dfd int, base string) error {
			return unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
		})
		if err != nil || st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return false
		}
		if i == 0 {
			first = st
		} else if st.Dev != first.Dev || st.Ino != first.Ino {
			return false
		}
	}
	return true
}
