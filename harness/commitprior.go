package harness

import "github.com/layercheck/layercheck/harness/snapshot"

// imagePrior lets the snapshot of a commit check's image take the content
// of every file that is still a hardlink of the shared extract of layer 0
// (commitbase.go) from that extract's snapshot, taken once: commit.Apply
// never changes a non-directory in place (it removes it and makes it
// anew), so a file with the extract's st_dev and st_ino, mode, owner,
// size and mtime holds the extract's data and xattrs. What the layers'
// tars put in the image are new inodes and are read in full, as are all
// directories. Nil (read everything) with Config.FullCompare or when the
// image is not a link farm.
func (r *scenarioRun) imagePrior() *snapshot.Prior {
	if r.cfg.FullCompare || r.commit.linked == nil {
		return nil
	}
	return &snapshot.Prior{Snap: r.commit.linked, SameInode: true, Reached: func(string) bool { return false }}
}
