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
	// KnownPerlayerRenamedDIno: minimal case: layercheck --layout perlayer
	// --suite whiteout --depth 2 --focus rename-into-deleted-name-at-runtime
	// (etc/hostname deleted in layer 1, etc/group renamed onto it at
	// runtime: readdir gives d_ino 9, stat st_ino 10). The same ops on a
	// hand-made stack of three tmpfs layers (xino=off) gave d_ino ==
	// st_ino, so the layout's upper/work placement takes part.
	KnownPerlayerRenamedDIno = "overlay/perlayer-renamed-file-d_ino-differs"
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
			ID: KnownPerlayerRenamedDIno,
			Summary: "on layers not on one filesystem (xino=off) a file renamed at runtime onto a name a layer deleted " +
				"lists with a d_ino other than its st_ino, where overlayfs.rst's inode table promises st_ino == d_ino " +
				"for non-directories in every configuration (seen on 6.18, --layout perlayer)",
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
