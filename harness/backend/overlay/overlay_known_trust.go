package overlay

import (
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Known issues of kernel overlayfs found by the kernel-log and inode
// checks: seen here, documented nowhere. They stay failures (KnownIssue).
const (
	// KnownIndexNlinkWarning: minimal case (as root, on 6.18):
	//
	//	mkdir l u w m; echo x > l/a; ln l/a l/b
	//	mount -t overlay none -o lowerdir=l,upperdir=u,workdir=w,metacopy=on,redirect_dir=on m
	//	chmod 600 m/a; umount m
	//	mount -t overlay none -o lowerdir=l,upperdir=u,workdir=w,metacopy=on,redirect_dir=on m
	//	stat m/a    # dmesg: overlayfs: failed to get index nlink (u/a, err=-61)
	//
	// The chmod copies up metadata only; the copy-up writes no
	// overlay.nlink xattr without index=on, and the lookup of the
	// metacopy upper of a hardlinked lower (ovl_get_nlink, inode.c)
	// reads it and warns on ENODATA (-61) before it falls back to the
	// upper's own count. Every op succeeds as on a plain copy.
	KnownIndexNlinkWarning = "overlay/metacopy-hardlink-index-nlink-warning"
	// KnownCopiedUpDIno: layers on more than one filesystem, xino off; a
	// lower file copied up (by chmod, a write, a rename) stats with the
	// lower file's st_ino (inode.c, ovl_getattr: "For non-dir or same fs,
	// we use st_ino of the copy up origin") while readdir gives the upper
	// file's own inode number as its d_ino (readdir.c, ovl_cache_update:
	// "if (!ovl_same_dev(ofs) && !p->check_xwhiteout) goto out", so no
	// recalculation without one st_dev address space). Minimal case, two
	// tmpfs (testdata/copied-up-d_ino.sh, exit 1 on 6.18):
	//
	//	mount -t overlay o -o lowerdir=a/l,upperdir=b/u,workdir=b/w,xino=off m
	//	chmod 600 m/d/f; stat -c %i m/d/f    # 4, the lower file's
	//	python3 -c 'import os; print([e.inode() for e in os.scandir("m/d")])'  # 9, the upper file's
	//
	// (ls -i stats the file and shows 4.) Every layout with layers on
	// several filesystems shows it (perlayer, squashfs, erofs, composefs,
	// nested), on every scenario whose ops copy a file up.
	KnownCopiedUpDIno = "overlay/copied-up-file-d_ino-not-st_ino-across-filesystems"
)

// trustKnownIssues lists them for the options under which they were seen.
func (o *Overlay) trustKnownIssues() []backend.KnownIssue {
	var out []backend.KnownIssue
	if o.option("metacopy") == "on" {
		out = append(out, backend.KnownIssue{
			ID: KnownIndexNlinkWarning,
			Summary: "with metacopy=on a metadata-only copy-up of one name of a lower hardlink makes the next lookup log " +
				"\"overlayfs: failed to get index nlink (..., err=-61)\": the copy-up wrote no overlay.nlink xattr " +
				"(index=off) and the lookup warns for its absence, though every op succeeded as on a plain copy (seen " +
				"on 6.18; overlayfs.rst says nothing of it)",
			Match: func(f snapshot.Finding, _ *backend.Evidence) bool {
				return f.Kind == snapshot.KindKernelWarning && strings.Contains(f.Merged, "failed to get index nlink (") &&
					strings.Contains(f.Merged, "err=-61)")
			},
		})
	}
	if !o.xino() {
		out = append(out, backend.KnownIssue{
			ID: KnownCopiedUpDIno,
			Summary: "on layers not on one filesystem (xino=off) a copied-up file lists with the upper file's inode " +
				"number as d_ino while stat gives the copy-up origin's st_ino, where overlayfs.rst's \"Inode properties\" " +
				"table reads Y for \"st_ino == d_ino\" of non-directories in the row \"Layers not on same fs, xino=off\" " +
				"(seen on 6.18; readdir.c ovl_cache_update recalculates d_ino only with one st_dev address space)",
			Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
				if f.Kind != snapshot.KindInode || f.Field != snapshot.InodeDIno || ev.LayerFS < 2 || ev.Merged == nil {
					return false
				}
				e, ok := ev.Merged.Entries[f.Path]
				return ok && e.Type != "dir"
			},
		})
	}
	return out
}
