package harness

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// Build modes: how layers 1..depth-1 of a scenario are made.
//
// BuildMount (the default) builds layer k through a mount of layers
// 0..k-1 with layer k as the upper, applying the layer's ops through the
// merged view, as an image builder commits a layer.
//
// BuildExtract writes layer k without any mount, the way an image
// extractor unpacks a tar layer: the layer's ops are applied to the
// reference only, and layer k is the difference between the reference
// before and after them, written in a backend's on-disk format (a
// WhiteoutFormat). The read path is then tested apart from the write path:
// what the backend shows for layers it did not write itself. Ops of built
// layers reach no backend, so they yield no errno findings; runtime ops
// still go through the runtime mount.
const (
	BuildMount   BuildMode = "mount"
	BuildExtract BuildMode = "extract"
)

// BuildMode names how a run builds its layers: BuildMount, BuildExtract,
// or BuildExtract with a format variant ("extract-xattr").
type BuildMode string

// BuildNames lists the values of --build for a backend: mount, and
// extract with each variant the backend documents.
func BuildNames(b backend.Backend) []string {
	out := []string{string(BuildMount)}
	if e, ok := b.(backend.Extractable); ok {
		if _, err := e.WhiteoutFormat(""); err == nil {
			out = append(out, string(BuildExtract))
		}
		for _, v := range []string{"xattr"} {
			if _, err := e.WhiteoutFormat(v); err == nil {
				out = append(out, string(BuildExtract)+"-"+v)
			}
		}
	}
	return out
}

// SetBuild sets how the run builds its layers: "mount" (or ""), "extract"
// (the backend's own format), or "extract-VARIANT" (a variant of it:
// "extract-xattr" writes overlayfs's xattr whiteouts). An unknown mode or a
// backend that cannot take extracted layers is a *UsageError.
func (c *Config) SetBuild(name string) error { return c.SetBuildFrom(name, c.Backend) }

// SetBuildFrom is SetBuild with extracted layers written in the on-disk
// format of another backend (--build-backend): layers one engine wrote,
// mounted by another, as images are shared between engines.
func (c *Config) SetBuildFrom(name string, from backend.Backend) error {
	c.Build, c.Format = BuildMount, nil
	if name == "" || name == string(BuildMount) {
		return nil
	}
	variant, ok := strings.CutPrefix(name, string(BuildExtract))
	if ok && variant != "" {
		variant, ok = strings.CutPrefix(variant, "-")
	}
	if !ok {
		return &UsageError{Setting: "build", Msg: fmt.Sprintf("%q is not a build mode (known: %s)", name, strings.Join(BuildNames(from), ", "))}
	}
	e, isExt := from.(backend.Extractable)
	if !isExt {
		return &UsageError{Setting: "build", Msg: fmt.Sprintf("%s: layers of %s cannot be written without a mount here", name, from.Name())}
	}
	f, err := e.WhiteoutFormat(variant)
	if err != nil {
		return &UsageError{Setting: "build", Msg: fmt.Sprintf("%s: %v (known: %s)", name, err, strings.Join(BuildNames(from), ", "))}
	}
	c.Build, c.Format = BuildMode(name), f
	return nil
}

// Extracting reports whether layers are written by the extract builder.
func (c Config) Extracting() bool { return c.Format != nil }

// extractState is the extract builder's state within one scenario: the
// reference as the layers written so far leave it, and the layer whose ops
// were applied to the reference but not yet written.
type extractState struct {
	prev    *snapshot.Snapshot
	prevIDs map[string]string
	pending int // 0: none
}

// extractStep applies the ops of a layer step (layer >= 1) to the
// reference only; the layer is written when the next layer starts or the
// layers are done (flushExtract).
func (r *scenarioRun) extractStep(st scenario.Step) error {
	x := &r.extract
	if x.pending != 0 && x.pending != st.Layer {
		if err := r.flushExtract(); err != nil {
			return err
		}
	}
	if x.prev == nil {
		var err error
		if x.prev, x.prevIDs, err = refState(r.ref.Dir); err != nil {
			return err
		}
	}
	x.pending = st.Layer
	phase := fmt.Sprintf("layer %d", st.Layer)
	for _, op := range st.Ops {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		rec := OpRecord{Stage: phase, Op: op.Shell(), Merged: "n/a (extract)", Reference: fsop.Apply(r.ref, op)}
		if !op.Identity().IsRoot() {
			rec.As = op.Identity().String()
		}
		r.ops = append(r.ops, rec)
	}
	return r.ref.CloseFiles() // descriptor ops end with the layer, as in buildLayer
}

// flushExtract writes the pending layer, if any.
func (r *scenarioRun) flushExtract() error {
	x := &r.extract
	if x.pending == 0 {
		return nil
	}
	cur, curIDs, err := refState(r.ref.Dir)
	if err != nil {
		return err
	}
	d := diffLayer(x.prev, cur, x.prevIDs, curIDs)
	if err := d.writeTo(r.ref.Dir, r.layers[x.pending], r.cfg.Format); err != nil {
		return fmt.Errorf("extract layer %d: %w", x.pending, err)
	}
	x.prev, x.prevIDs, x.pending = cur, curIDs, 0
	return nil
}

// refState snapshots the reference and the identity of each of its
// directories.
func refState(dir string) (*snapshot.Snapshot, map[string]string, error) {
	s, err := snapshot.TakeSnapshot(dir, snapshot.SnapshotOptions{})
	if err != nil {
		return nil, nil, err
	}
	ids, err := dirIdentities(dir)
	return s, ids, err
}

// dirIdentities maps every directory beneath root to its inode number and
// birth time: a directory removed and made again under the same name is
// another directory (even where the filesystem reuses the inode number).
func dirIdentities(root string) (map[string]string, error) {
	out := map[string]string{}
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var walk func(fd int, dir string) error
	walk = func(fd int, dir string) error {
		defer unix.Close(fd)
		names, err := fsop.ReadNames(fd)
		if err != nil {
			return err
		}
		for _, n := range names {
			var stx unix.Statx_t
			if err := unix.Statx(fd, n, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_TYPE|unix.STATX_INO|unix.STATX_BTIME, &stx); err != nil {
				return err
			}
			if uint32(stx.Mode)&unix.S_IFMT != unix.S_IFDIR {
				continue
			}
			p := fsop.Join(dir, n)
			out[p] = fmt.Sprintf("%d@%d.%09d", stx.Ino, stx.Btime.Sec, stx.Btime.Nsec)
			sub, err := unix.Openat(fd, n, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err != nil {
				return err
			}
			if err := walk(sub, p); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(fd, "")
}

// layerDiff is what a layer holds: the entries written from the reference,
// the directories among them marked opaque, and the whiteouts.
type layerDiff struct {
	write     map[string]bool
	opaque    map[string]bool
	whiteouts []string
	root      bool // the root's own attributes changed
}

// diffLayer computes the layer that turns the stack showing prev into one
// showing cur, as an image differ and extractor do between them:
//
//   - a new entry, or one whose type or attributes (mode, owner, data,
//     symlink target, device, xattrs) changed, is written with cur's
//     attributes; a directory that is new, replaces a non-directory or is
//     another directory than before (removed and made again) is written
//     with its whole subtree, and marked opaque where something of that
//     name was below;
//   - a name of prev that cur no longer has gets a whiteout, unless its
//     parent is gone, replaced or opaque (which hides it already);
//   - hardlinks stay hardlinks: every name of a written inode is written
//     (linked to the first), and a name whose link group changed otherwise
//     than by losing deleted or rewritten names is written too. A change
//     of the link count alone is not a change (tar differs compare no
//     link counts), so a lower name keeps its lower inode;
//   - every directory on the way to a written entry or a whiteout is in the
//     layer with cur's attributes, as a merged directory shows the upper
//     one's.
func diffLayer(prev, cur *snapshot.Snapshot, prevIDs, curIDs map[string]string) *layerDiff {
	d := &layerDiff{write: map[string]bool{}, opaque: map[string]bool{}}
	fresh := map[string]bool{} // directories written with their whole subtree
	paths := slices.Sorted(maps.Keys(cur.Entries))
	for _, p := range paths {
		if p == "." {
			d.root = !sameAttrs(prev.Entries["."], cur.Entries["."])
			continue
		}
		ce := cur.Entries[p]
		pe, inPrev := prev.Entries[p]
		switch {
		case fresh[path.Dir(p)]:
			d.write[p] = true
			if ce.Type == "dir" {
				fresh[p] = true
			}
		case !inPrev:
			d.write[p] = true
			if ce.Type == "dir" {
				fresh[p] = true
			}
		case ce.Type != pe.Type || ce.Type == "dir" && prevIDs[p] != curIDs[p]:
			d.write[p] = true
			if ce.Type == "dir" {
				fresh[p], d.opaque[p] = true, true
			}
		case !sameAttrs(pe, ce):
			d.write[p] = true
		}
	}
	for _, p := range slices.Sorted(maps.Keys(prev.Entries)) {
		if _, ok := cur.Entries[p]; ok || p == "." {
			continue
		}
		parent := path.Dir(p)
		if pe, ok := cur.Entries[parent]; parent != "." && (!ok || pe.Type != "dir" || fresh[parent]) {
			continue
		}
		d.whiteouts = append(d.whiteouts, p)
	}
	d.closeLinks(prev, cur)
	return d
}

// closeLinks adds names to the write set until every hardlink group shows
// as in cur (see diffLayer).
func (d *layerDiff) closeLinks(prev, cur *snapshot.Snapshot) {
	for changed := true; changed; {
		changed = false
		for p, ce := range cur.Entries {
			if ce.Type == "dir" {
				continue
			}
			if d.write[p] {
				for _, q := range ce.Links {
					if !d.write[q] {
						d.write[q], changed = true, true
					}
				}
				continue
			}
			// p keeps its lower inode: its group is the lower group less
			// the names deleted or written in this layer.
			var kept []string
			for _, q := range prev.Entries[p].Links {
				if _, ok := cur.Entries[q]; ok && !d.write[q] {
					kept = append(kept, q)
				}
			}
			if !slices.Equal(kept, ce.Links) {
				d.write[p], changed = true, true
			}
		}
	}
}

// sameAttrs compares what a differ compares: everything but link counts
// and groups (handled apart) and access (computed, not stored).
func sameAttrs(a, b snapshot.Entry) bool {
	return a.Type == b.Type && a.Mode == b.Mode && a.UID == b.UID && a.GID == b.GID && a.Size == b.Size &&
		a.Digest == b.Digest && a.Target == b.Target && a.Rdev == b.Rdev && maps.Equal(a.Xattrs, b.Xattrs)
}

// layerWriter writes one extracted layer: the directories it made (their
// attributes are set last, children first, so that a read-only directory
// still takes its children) and the first name of every hardlink group.
type layerWriter struct {
	refDir, layerDir string
	f                backend.WhiteoutFormat
	t                *fsop.Tree
	made             map[string]bool
	dirs             []string
	links            map[[2]uint64]string
}

// writeTo creates the layer at layerDir (an empty directory) from the
// reference at refDir.
func (d *layerDiff) writeTo(refDir, layerDir string, f backend.WhiteoutFormat) error {
	t, err := fsop.OpenTree(layerDir)
	if err != nil {
		return err
	}
	defer t.Close()
	w := &layerWriter{refDir: refDir, layerDir: layerDir, f: f, t: t, made: map[string]bool{".": true}, links: map[[2]uint64]string{}}
	for _, p := range slices.Sorted(maps.Keys(d.write)) {
		if err := w.entry(p, d.opaque[p]); err != nil {
			return err
		}
	}
	for _, p := range d.whiteouts {
		if err := w.ensure(path.Dir(p)); err != nil {
			return err
		}
		if err := f.Whiteout(t, p); err != nil {
			return fmt.Errorf("whiteout %s: %w", p, err)
		}
	}
	if d.root {
		w.dirs = append([]string{"."}, w.dirs...)
	}
	return w.setDirMeta()
}

// mkdir makes the directory p of the layer, attributes to come.
func (w *layerWriter) mkdir(p string) error {
	if err := unix.Mkdir(filepath.Join(w.layerDir, p), 0o700); err != nil {
		return err
	}
	w.made[p] = true
	w.dirs = append(w.dirs, p)
	return nil
}

// ensure makes p and its parents as directories.
func (w *layerWriter) ensure(p string) error {
	if w.made[p] {
		return nil
	}
	if err := w.ensure(path.Dir(p)); err != nil {
		return err
	}
	return w.mkdir(p)
}

// entry writes the reference's entry p: a directory (opaque if asked), a
// further name of a hardlink group already written, or a copy.
func (w *layerWriter) entry(p string, opaque bool) error {
	if err := w.ensure(path.Dir(p)); err != nil {
		return err
	}
	src, dst := filepath.Join(w.refDir, p), filepath.Join(w.layerDir, p)
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		if err := w.mkdir(p); err != nil {
			return err
		}
		if opaque {
			if err := w.f.Opaque(w.t, p); err != nil {
				return fmt.Errorf("opaque %s: %w", p, err)
			}
		}
		return nil
	}
	key := [2]uint64{st.Dev, st.Ino}
	if first, ok := w.links[key]; ok {
		return unix.Link(first, dst)
	}
	w.links[key] = dst
	if err := copyEntry(src, dst, &st, w.f); err != nil {
		return fmt.Errorf("copy %s: %w", p, err)
	}
	return nil
}

// setDirMeta gives the directories made their attributes, children first.
func (w *layerWriter) setDirMeta() error {
	for i := len(w.dirs) - 1; i >= 0; i-- {
		src := filepath.Join(w.refDir, w.dirs[i])
		var st unix.Stat_t
		if err := unix.Lstat(src, &st); err != nil {
			return err
		}
		if err := setStoredMeta(src, filepath.Join(w.layerDir, w.dirs[i]), &st, w.f); err != nil {
			return err
		}
	}
	return nil
}

// copyEntry copies the non-directory src to dst with its attributes, its
// xattrs stored as the format stores them.
func copyEntry(src, dst string, st *unix.Stat_t, f backend.WhiteoutFormat) error {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		if err := fsop.CopyFile(src, dst); err != nil {
			return err
		}
	case unix.S_IFLNK:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := unix.Symlink(target, dst); err != nil {
			return err
		}
	default:
		if err := unix.Mknod(dst, st.Mode, int(st.Rdev)); err != nil {
			return err
		}
	}
	return setStoredMeta(src, dst, st, f)
}

// setStoredMeta gives dst the owner, mode and xattrs of src (st).
func setStoredMeta(src, dst string, st *unix.Stat_t, f backend.WhiteoutFormat) error {
	if err := unix.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		if err := unix.Chmod(dst, st.Mode&07777); err != nil {
			return err
		}
	}
	xa, err := fsop.XattrsOf(src)
	if err != nil {
		return err
	}
	keys := slices.Collect(maps.Keys(xa))
	sort.Strings(keys)
	for _, k := range keys {
		if err := unix.Lsetxattr(dst, f.StoredXattr(k), []byte(xa[k]), 0); err != nil {
			return fmt.Errorf("set xattr %s on %s: %w", k, dst, err)
		}
	}
	return nil
}
