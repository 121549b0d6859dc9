package harness

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// A commit check's image need not hold what no layer tar can touch. Where
// the reference holds only the subtrees the scenario's ops can reach
// (reference.go: refUnits, and the directories above them), the image's
// link farm of the shared extract of layer 0 (commitbase.go) holds the same
// subtrees and directories, and its snapshot is spliced into the extract's
// snapshot for every other path, as the reference's is into the base's.
// An untouched path of a whole farm is a hardlink of the extract, or a
// directory with its owner, mode and xattrs: the extract's entry but for
// the link count, which the check does not compare.
//
// That holds only while every tar applied stays within the subtrees: a
// name outside them, a whiteout or an opaque marker on a directory above
// them (which would remove what the farm left out), or a hardlink to a
// name outside them makes the image whole first (completeImage), and from
// then on it is read as a whole. A link farm of a distribution tree and
// its removal per scenario was a tenth of a run's CPU time.
// Config.FullCompare, a whole reference, and idmapped layers (whose image
// lives in a mapped view) keep the whole farm.

// partialImage reports whether the image may be a farm of the reference's
// subtrees only.
func (r *scenarioRun) partialImage() bool {
	return !r.cfg.FullCompare && r.refUnits != nil && r.cfg.Idmap == nil
}

// inRefUnit reports whether p lies in (or is) one of the reference's
// subtrees.
func (r *scenarioRun) inRefUnit(p string) bool {
	for _, u := range r.refUnits {
		if p == u || strings.HasPrefix(p, u+"/") {
			return true
		}
	}
	return false
}

// linkFarmUnits makes dst a link farm (linkFarm) of the reference's
// subtrees of src and bare copies of the directories above them.
func (r *scenarioRun) linkFarmUnits(src, dst string) error {
	above := make([]string, 0, len(r.refAbove))
	for d := range r.refAbove {
		if d != "." {
			above = append(above, d)
		}
	}
	return buildBeneath(src, dst, above, func() error { // reference.go
		for _, u := range r.refUnits {
			if _, err := os.Lstat(filepath.Join(src, u)); errors.Is(err, fs.ErrNotExist) {
				continue // a marker of layer 0, which the extract leaves out
			}
			if err := linkFarm(filepath.Join(src, u), filepath.Join(dst, u)); err != nil {
				return err
			}
		}
		return nil
	})
}

// tarStaysIn reports whether applying the layer tar data touches only the
// reference's subtrees (and the directories above them as directories).
func (r *scenarioRun) tarStaysIn(data []byte) bool {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		name := path.Clean("./" + hdr.Name)
		dir, base := path.Dir(name), path.Base(name)
		switch {
		case base == ".wh..wh..opq":
			if !r.inRefUnit(dir) {
				return false
			}
		case strings.HasPrefix(base, ".wh."):
			if !r.inRefUnit(path.Join(dir, strings.TrimPrefix(base, ".wh."))) {
				return false
			}
		case name == ".":
		case hdr.Typeflag == tar.TypeDir:
			if !r.refOwns(name) {
				return false
			}
		default:
			if !r.inRefUnit(name) || hdr.Typeflag == tar.TypeLink && !r.inRefUnit(path.Clean("./"+hdr.Linkname)) {
				return false
			}
		}
	}
}

// completeImage adds to the partial image everything of the extract src
// it left out, as linkFarm makes it.
func (r *scenarioRun) completeImage(src string) error {
	var dirs []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = filepath.ToSlash(rel)
		if r.refOwns(rel) {
			if d.IsDir() && r.inRefUnit(rel) {
				return filepath.SkipDir // in the farm, as the tars left it
			}
			return nil
		}
		to := filepath.Join(r.commit.image, rel)
		if !d.IsDir() {
			return unix.Linkat(unix.AT_FDCWD, p, unix.AT_FDCWD, to, 0)
		}
		dirs = append(dirs, rel)
		return unix.Mkdir(to, 0o700)
	})
	for i := len(dirs) - 1; i >= 0 && err == nil; i-- {
		err = fsop.CopyDirMeta(filepath.Join(src, dirs[i]), filepath.Join(r.commit.image, dirs[i]))
	}
	if err == nil {
		r.commit.partial = ""
	}
	return err
}

// imageSnapshot snapshots the image: the farm's, spliced into the
// extract's where the farm is partial.
func (r *scenarioRun) imageSnapshot() (*snapshot.Snapshot, error) {
	s, err := snapshot.TakeSnapshot(r.commit.image, snapshot.SnapshotOptions{Prior: r.imagePrior()}) // commitprior.go
	if err != nil || r.commit.partial == "" {
		return s, err
	}
	return snapshot.Splice(r.commit.linked, s, r.refOwns), nil
}
