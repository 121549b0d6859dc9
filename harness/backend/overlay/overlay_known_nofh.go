package overlay

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// KnownInoNotKeptWithoutFH is a known issue of kernel overlayfs that a
// rootless run shows on nearly every scenario that copies a file up: seen
// here, documented nowhere, so it stays a failure.
//
// Why (Linux 6.18): overlayfs encodes the copy-up origin of a file as a
// file handle only if ovl_can_decode_fh (fs/overlayfs/util.c) says yes,
// and that starts with "if (!capable(CAP_DAC_READ_SEARCH)) return 0;",
// a capability of the initial user namespace that a rootless mount never
// has. The copy-up then records an empty overlay.origin (none at all on
// a symlink: userxattr cannot set user.* xattrs there), so after a
// remount the lookup finds no lower inode for the upper file and
// ovl_getattr (inode.c) reports the upper file's own st_ino instead of
// the origin's it reported while mounted. overlayfs.rst's "Inode
// properties" table reads Y for "Persistent st_ino" with all layers on one
// filesystem, and its xino paragraph conditions persistence on "all
// underlying filesystems support NFS file handles", which tmpfs does; it
// says nothing of the mounter's capabilities or of userxattr ("User xattr"
// only names the namespace). Minimal case, as any user
// (testdata/rootless-no-file-handles.sh, exit 1 on 6.18):
//
//	unshare -Urm sh -c 'mount -t tmpfs t /mnt; cd /mnt; mkdir l u w m; echo x > l/f
//	  mount -t overlay o -o lowerdir=l,upperdir=u,workdir=w,userxattr m
//	  chmod 600 m/f; stat -c %i m/f; umount m           # the lower file's inode
//	  mount -t overlay o -o lowerdir=l,upperdir=u,workdir=w,userxattr m
//	  stat -c %i m/f'                                    # the upper file's inode
const KnownInoNotKeptWithoutFH = "overlay/copied-up-st_ino-not-kept-across-remount-without-file-handles"

// noFhKnownIssues lists it.
func (o *Overlay) noFhKnownIssues() []backend.KnownIssue {
	return []backend.KnownIssue{{
		ID: KnownInoNotKeptWithoutFH,
		Summary: "where overlayfs cannot encode file handles (a rootless mount: no CAP_DAC_READ_SEARCH in the initial " +
			"namespace, util.c ovl_can_decode_fh) a copied-up file records an empty overlay.origin, and after a remount " +
			"it stats with the upper file's own st_ino instead of the lower one's it had while mounted (seen on 6.18, " +
			"rootless with userxattr, all layers on one tmpfs, testdata/rootless-no-file-handles.sh; overlayfs.rst's \"Inode properties\" reads Y for " +
			"\"Persistent st_ino\" on one filesystem, and tmpfs supports NFS file handles)",
		Match: o.matchInoNotKeptWithoutFH,
	}}
}

// matchInoNotKeptWithoutFH: a non-directory's st_ino changed across the
// remount, the runtime upper holds it with no origin handle (the
// overlay.origin xattr empty or absent) and the st_ino after the remount
// is the upper file's own: the lower inode the mount showed before could
// not be found again. A finding that collapsed others alike (InodesKept)
// is judged by its first path.
func (o *Overlay) matchInoNotKeptWithoutFH(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindInode || f.Field != snapshot.InodeChanged || f.Stage != "remount" || ev.Upper == "" {
		return false
	}
	var after, before uint64
	if n, _ := fmt.Sscanf(f.Merged, "st_ino %d, was %d", &after, &before); n != 2 {
		return false
	}
	t, err := fsop.OpenTree(ev.Upper)
	if err != nil {
		return false
	}
	defer t.Close()
	origin := o.XattrPrefix() + "origin"
	var st unix.Stat_t
	var empty bool
	err = t.WithParent(f.Path, func(dfd int, base string) error {
		if err := unix.Fstatat(dfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
		n, err := getxattrat(dfd, base, origin, nil)
		empty = err == unix.ENODATA || err == nil && n == 0
		return nil
	})
	return err == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR && st.Ino == after && empty
}

// linkKeptByUpperAsOne: an st_ino finding of a link op (harness checkKept:
// "kept by link") whose new name the upper holds as one inode with the
// old: the link was made in the upper, after any copy-up, and the names
// show different st_ino only because the mount gave each its own inode
// (KnownUpperLinkOwnInodes).
func linkKeptByUpperAsOne(f snapshot.Finding, ev *backend.Evidence) bool {
	l, ok := ev.Op.(fsop.Link)
	if !ok || f.Kind != snapshot.KindInode || f.Field != snapshot.InodeChanged ||
		!strings.HasPrefix(f.Reference, "kept by ") || len(ev.Stack) == 0 {
		return false
	}
	oldName, newName := fsop.CleanRel(l.Old), fsop.CleanRel(l.New)
	if f.Path != oldName && f.Path != newName {
		return false
	}
	return upperHoldsAsOne(&backend.Evidence{Upper: ev.Stack[0]}, newName, []string{oldName})
}
