package harness

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/layercheck/layercheck/harness/commit"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// The image of a stack starts with what the format shows of layer 0. Most
// scenarios share their layer 0 (the session's base tree), so it is
// extracted once per base and format, and each scenario's image starts as
// a link farm of it: its own directories, the files hardlinks of the
// extracted ones. That is safe because commit.Apply never changes a
// non-directory in place (it removes and makes it again), and the check
// compares no link counts.

// baseImages are the extracted layer 0s, by base directory and format.
var baseImages = struct {
	sync.Mutex
	m map[string]*baseImage
}{m: map[string]*baseImage{}}

type baseImage struct {
	once sync.Once
	dir  string
	err  error
	snap *snapshot.Snapshot // of dir, for the images' snapshots (commitprior.go)
}

// forgetBaseImages drops the extracted layer 0s beneath dir, a session's
// scratch that is going away: a later session of the same process makes
// its directories, bases included, at the same paths (run-PID), and must
// not find images of trees that are gone.
func forgetBaseImages(dir string) {
	baseImages.Lock()
	defer baseImages.Unlock()
	for k, b := range baseImages.m {
		if rel, err := filepath.Rel(dir, b.dir); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			delete(baseImages.m, k)
		}
	}
}

// imageBase starts the image with what the format shows of layer 0.
func (r *scenarioRun) imageBase(f commit.Format) error {
	r.commit.image = r.cfg.idmapUpper(filepath.Join(r.dir, "commit-image")) // idmapped.go: the image holds what the upper holds
	r.commit.applied = 1
	r.commit.linked, r.commit.partial = nil, ""
	if r.base == nil || r.layers[0] != r.base.Dir {
		return extractBase(r.layers[0], r.commit.image, f) // the scenario changes layer 0
	}
	key := r.base.Dir + "\x00" + string(f)
	baseImages.Lock()
	b := baseImages.m[key]
	if b == nil {
		b = &baseImage{dir: r.cfg.idmapUpper(filepath.Join(filepath.Dir(r.cfg.Scratch), fmt.Sprintf("commit-base-%d", len(baseImages.m))))} // beside the image (linkFarm)
		baseImages.m[key] = b
	}
	baseImages.Unlock()
	b.once.Do(func() {
		if b.err = extractBase(r.base.Dir, b.dir, f); b.err == nil {
			b.snap, b.err = snapshot.TakeSnapshot(b.dir, snapshot.SnapshotOptions{})
		}
	})
	if b.err != nil {
		return b.err
	}
	r.commit.linked = b.snap
	if r.partialImage() { // commitpartial.go
		r.commit.partial = b.dir
		return r.linkFarmUnits(b.dir, r.commit.image)
	}
	return linkFarm(b.dir, r.commit.image)
}

// extractBase writes layer as a bottom layer and extracts it at dir.
func extractBase(layer, dir string, f commit.Format) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	var tar bytes.Buffer
	if err := commit.WriteBase(&tar, layer, f); err != nil {
		return err
	}
	return commit.Extract(&tar, dir)
}

// linkFarm makes dst a tree of src: directories made with src's owner,
// mode and xattrs, every other entry a hardlink of src's.
func linkFarm(src, dst string) error {
	var dirs []string // their metadata is set last, children first
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if !d.IsDir() {
			return unix.Linkat(unix.AT_FDCWD, p, unix.AT_FDCWD, to, 0) // a symlink itself, not its target
		}
		dirs = append(dirs, rel)
		return unix.Mkdir(to, 0o700)
	})
	for i := len(dirs) - 1; i >= 0 && err == nil; i-- {
		err = fsop.CopyDirMeta(filepath.Join(src, dirs[i]), filepath.Join(dst, dirs[i]))
	}
	return err
}
