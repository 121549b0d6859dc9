package overlay

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// citeInodeTable is overlayfs.rst's table of what st_ino, st_dev and
// d_ino keep per configuration (Linux 6.18, "Overlay objects" / "Inode
// properties"). Its rows "Layers not on same fs, xino=off" and
// "xino=on/auto, ino overflow" read N for persistent st_ino (dir and
// !dir), uniform st_dev of non-directories and st_ino == d_ino of
// directories; every other cell, and every cell of the rows "All layers on
// same fs" and "xino=on/auto", reads Y.
const citeInodeTable = `overlayfs.rst, "Overlay objects" / "Inode properties": for "Layers not on same fs, xino=off" the table reads N for "Persistent st_ino" (dir and !dir), for "Uniform st_dev" of !dir and for "st_ino == d_ino" of dir ("All layers on same fs" and "xino=on/auto": Y throughout); "Non-standard behavior" / xino: "If this feature is disabled [...] overlayfs will not be able to guarantee that the values of st_ino and st_dev returned by stat(2) and the value of d_ino returned by readdir(3) will act like on a normal filesystem"`

// ExpectInodeNotSameFS is the table's N cells: layers on different
// filesystems without xino.
const ExpectInodeNotSameFS = deviation.InodeNotSameFS

// inodeExpectation is present only while xino is off: with all layers on
// one filesystem (Evidence.LayerFS 1) or with xino=on/auto it matches
// nothing, as the table promises every property there.
func (o *Overlay) inodeExpectation() []backend.Expectation {
	var out []backend.Expectation
	if !o.Index() {
		out = append(out, backend.Expectation{ID: ExpectCopyUpSplitsLink, Citation: citeHardlink, Match: matchInodeSplitLink})
	}
	if !o.xino() {
		out = append(out, backend.Expectation{ID: ExpectInodeNotSameFS, Citation: citeInodeTable, Match: matchInodeNotSameFS})
	}
	return out
}

// matchInodeSplitLink: an op copied up a file that had other names (a
// link count over one before it), and its st_ino changed: without index
// the copy-up "breaks" the link (overlayfs.rst, index), so the copy is a
// new inode with its own number, on any layout.
func matchInodeSplitLink(f snapshot.Finding, ev *backend.Evidence) bool {
	return f.Kind == snapshot.KindInode && f.Field == snapshot.InodeChanged && ev.Op != nil &&
		ev.Type != "dir" && ev.Nlink > 1
}

// xino reports whether the mount asks for xino (on or auto), by option or
// by the module's xino_auto default.
func (o *Overlay) xino() bool {
	switch o.option("xino") {
	case "on", "auto":
		return true
	case "off":
		return false
	}
	return o.option("xino_auto") == "on"
}

// matchInodeNotSameFS: an inode finding on a mount whose layers are not
// all on one filesystem, in one of the table's N cells: st_ino that
// changed (any type), st_dev of a non-directory, d_ino of a directory.
func matchInodeNotSameFS(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindInode || ev.LayerFS < 2 {
		return false
	}
	typ := ev.Type
	if ev.Merged != nil {
		if e, ok := ev.Merged.Entries[f.Path]; ok {
			typ = e.Type
		}
	}
	switch f.Field {
	case snapshot.InodeChanged:
		return true
	case snapshot.InodeDev:
		return typ != "" && typ != "dir"
	case snapshot.InodeDIno:
		return typ == "dir"
	case snapshot.InodeDotDIno:
		return true // "." names a directory
	}
	return false
}
