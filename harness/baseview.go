package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// The base view is the merged view of a run's base with nothing on it:
// the base as layer 0, Depth-1 empty layers and an empty upper, mounted
// by the run's backend with its options, snapshotted once per run with the
// access probes, and unmounted at once. Every merged snapshot of a
// scenario (build mounts, runtime, remount) takes from it the entries that
// no op of the scenario can have reached and that stat the same as there
// (snapshot.Prior): most of a small scenario's view is the untouched base,
// and reading, hashing and probing it again was most of a run's cost.
//
// The base view is shared only where an untouched entry can show the same
// identity, and so only where the scenario's layer 0 is the run's base
// directory itself, on the samefs layout, built through mounts:
//   - other layouts copy layer 0 onto their own storage per scenario
//     (perlayer and disk filesystems), pack it into an image (squashfs,
//     erofs) or read it through an inner overlay (nested): new inodes;
//   - a scenario that changes layer 0 gets its own copy of the base
//     (phase_prepare.go): the identities of the copy's entries are taken
//     as it is made, and stand for the base view's (snapshot.Prior.Idents),
//     so what no op reached and still has them is the base's;
//   - a scenario that compares times takes from it only where the base
//     view is kernel overlayfs (its superblock's magic): a snapshot
//     opens files with O_NOATIME, which overlayfs passes on to the file
//     of the layer beneath ("if (!inode_owner_or_capable(...)) flags &=
//     ~O_NOATIME", ovl_open_realfile in fs/overlayfs/file.c), so a read
//     the snapshot leaves out would have moved no atime either; a FUSE
//     daemon reads the layers with opens of its own, and the atime its
//     reads move under the scenario's policy shows in later views, so
//     such a scenario reads everything there;
//   - the rebuilt phase copies every layer, but where layer 0 is the base
//     it mounts the run's one copy of it (rebuiltbase.go), with a base
//     view of its own;
//   - the data-only layouts keep their layers on storage of their own;
//   - the extract builder writes layers without the backend (and is a
//     mode of its own: it never shares a base view with --build mount);
//   - a backend that renews its inodes at every mount (the control
//     backend copies its layers) never shows the same st_ino twice.
//
// With --idmap the base view is mounted as the scenarios' stacks are
// (the mapped layers attached idmapped, the upper on its side), keyed by
// the session's mapping. Elsewhere every entry is read in full, as it
// always was. The base view
// is read-only: it is mounted with its own upper and work directory,
// which are removed with it, so nothing a scenario does can write to it,
// and overlay's index and origin records of a scenario's upper point at
// the base directory's own inodes, which the base view shares unchanged
// (the base directory is never an upper or a work dir). Config.FullCompare
// turns all of it off, to compare against.

// baseViews are the base views taken, by what they depend on.
var baseViews = struct {
	sync.Mutex
	m map[string]*baseView
}{m: map[string]*baseView{}}

type baseView struct {
	once sync.Once
	snap *snapshot.Snapshot
	err  error
	// kernelOverlay: the view was kernel overlayfs, whose reads with
	// O_NOATIME move no atime of a layer (see above)
	kernelOverlay bool
}

// Reuse counts the entries of the runtime and remount views snapshotted
// so far in this process, and how many of them were taken from a base view.
var reuseStats struct{ entries, reused atomic.Int64 }

func countReuse(s *snapshot.Snapshot) {
	reuseStats.entries.Add(int64(len(s.Entries)))
	reuseStats.reused.Add(int64(s.Reused()))
}

// ReuseStats returns the entries of the merged views (runtime, remount,
// rebuilt) snapshotted in this process so far, and how many of them were
// taken from a base view instead of read (`layercheck bench` prints it).
func ReuseStats() (entries, reused int64) {
	return reuseStats.entries.Load(), reuseStats.reused.Load()
}

// baseViewKey names what a base view depends on: the run (its scratch),
// the backend and its options, the layout, the depth, the build mode and
// the directory mounted as layer 0 (the base, or the rebuilt phase's
// shared copy of it: rebuiltbase.go), and the idmapped layers' mapping
// (the session's, which the base view mounts through as the scenarios do).
func (r *scenarioRun) baseViewKey(layer0 string) string {
	b := r.cfg.Backend
	return strings.Join([]string{r.cfg.Scratch, b.Name(), b.Options(), string(r.cfg.Layout),
		strconv.Itoa(r.cfg.Depth), string(r.cfg.Build), layer0,
		fmt.Sprintf("idmap %p %v", r.cfg.Idmap, r.cfg.IdmapLayers)}, "\x00")
}

// sharesBaseView reports whether this scenario's merged views may take
// entries from the base view (see above for why not elsewhere).
func (r *scenarioRun) sharesBaseView() bool {
	return r.mayTakeFromBaseView() && len(r.layers) > 0 && r.sharedLayer0()
}

// mayTakeFromBaseView reports whether the run's stacks can show what the
// base view shows, layer 0 aside (see above).
func (r *scenarioRun) mayTakeFromBaseView() bool {
	if r.cfg.FullCompare || r.usesStorage() || r.cfg.Extracting() || r.base == nil || r.base.Sealed() == nil {
		return false
	}
	if ir, ok := r.cfg.Backend.(backend.InodeRenewer); ok && ir.RenewsInodes() {
		return false
	}
	return true
}

// readsCopiesByIdents reports whether a whole copy of the base that a
// scenario makes (its layer 0, its reference) has its entries' identities
// taken as it is made, for its snapshots to take from the base's what no
// op reached and still has them (copyPrior). A plain directory's
// snapshot is read with O_NOATIME, so what it does not read moves no
// time either: scenarios that compare times take part too. The full ways
// (--full-compare) read every entry, to compare against.
func (r *scenarioRun) readsCopiesByIdents() bool {
	return !r.cfg.FullCompare && r.base != nil && r.base.Sealed() != nil
}

// copyPrior is what the snapshot of a plain directory copied from the base
// (idents: its entries' identities as the copy made them) may take from
// snap, the base's snapshot, or nil: then it reads every entry.
func (r *scenarioRun) copyPrior(snap *snapshot.Snapshot, idents *snapshot.Idents) *snapshot.Prior {
	reached, ok := r.reached()
	if !ok || snap == nil {
		return nil
	}
	return &snapshot.Prior{Snap: snap, Reached: reached, Idents: idents}
}

// copiedLayer0 reports whether layer 0 is the scenario's own copy of the
// base whose identities were taken as it was made (phase_prepare.go): its
// entries that nothing changed since hold what the base view shows.
func (r *scenarioRun) copiedLayer0() bool {
	return r.layer0Idents != nil && len(r.layers) > 0 && r.layers[0] == r.layer0Copy && r.mayTakeFromBaseView()
}

// prior is what a merged snapshot of this scenario may take from the base
// view, or nil: then it reads every entry.
func (r *scenarioRun) prior() *snapshot.Prior {
	layer0, idents := "", (*snapshot.Idents)(nil)
	switch {
	case r.sharesBaseView():
		layer0 = r.layers[0]
	case r.copiedLayer0():
		layer0, idents = r.base.Dir, r.layer0Idents // the copy's entries stand for the base's
	default:
		return nil
	}
	reached, ok := r.reached()
	if !ok {
		return nil
	}
	baseViews.Lock()
	key := r.baseViewKey(layer0)
	bv := baseViews.m[key]
	if bv == nil {
		bv = &baseView{}
		baseViews.m[key] = bv
	}
	baseViews.Unlock()
	bv.once.Do(func() { bv.snap, bv.kernelOverlay, bv.err = takeBaseView(r.ctx, r.cfg, layer0, r.base.Identities) })
	if bv.err != nil || r.timesCompared() && !bv.kernelOverlay {
		return nil // every entry read in full, as without a base view
	}
	return &snapshot.Prior{Snap: bv.snap, Reached: reached, Idents: idents}
}

// buildPrior is prior for the view of a build mount, which the layer
// backend shows: with --build-with another backend than the base view's,
// so nothing is taken from it then (another backend may show the same
// inode with other xattrs or data).
func (r *scenarioRun) buildPrior() *snapshot.Prior {
	if r.cfg.BuildWith != nil {
		return nil
	}
	return r.prior()
}

// reached is the set of paths the scenario's ops can have reached, in any
// phase: the subtrees opUnits gives (reference.go) and every directory
// above them. False when an op can reach anywhere (through a symlink, on
// the root).
func (r *scenarioRun) reached() (func(p string) bool, bool) {
	units, ok := opUnits(r.base.Sealed(), r.s)
	if !ok {
		return nil, false
	}
	above := map[string]bool{".": true}
	for _, u := range units {
		for d := path.Dir(u); d != "."; d = path.Dir(d) {
			above[d] = true
		}
	}
	return func(p string) bool {
		if above[p] {
			return true
		}
		for _, u := range units {
			if p == u || strings.HasPrefix(p, u+"/") {
				return true
			}
		}
		return false
	}, true
}

// sharedLayer0 reports whether layer 0 is a tree shared by every scenario
// of the run, as it was when the base view was taken of it: the base
// directory itself, or in the rebuilt phase the run's copy of it.
func (r *scenarioRun) sharedLayer0() bool {
	return r.layers[0] == r.base.Dir || r.rebuiltBase != "" && r.layers[0] == r.rebuiltBase
}

// forgetBaseViews drops the base views of the runs whose scenarios live
// beneath dir (a session's scratch, going away): a later session of the
// process makes its directories at the same paths.
func forgetBaseViews(dir string) {
	baseViews.Lock()
	defer baseViews.Unlock()
	for k := range baseViews.m {
		if strings.HasPrefix(k, dir+"/") {
			delete(baseViews.m, k)
		}
	}
}

// takeBaseView mounts layer0 (the base, or a copy of it) under Depth-1
// empty layers and an empty upper in a directory of its own, as a
// scenario's stack is mounted (with --idmap: the upper on the side the
// selection puts it, every mapped layer attached idmapped), snapshots the
// view with the access probes for ids, unmounts and removes the directory.
//
// It runs once for many scenarios, so the one that happens to start it
// must not cut it short by ending: it has the time limit of a scenario of
// its own. A backend that hangs while it is taken costs that limit once;
// the scenarios then read their views in full, under their own watchdogs.
func takeBaseView(ctx context.Context, cfg Config, layer0 string, ids []fsop.Identity) (s *snapshot.Snapshot, kernelOverlay bool, err error) {
	limit := cfg.Timeout
	if limit <= 0 {
		limit = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	dir, err := os.MkdirTemp(cfg.Scratch, "baseview-")
	if err != nil {
		return nil, false, err
	}
	remove := func() error { return os.RemoveAll(cfg.idmapRaw(dir)) } // idmapped.go: as teardown removes
	spec, err := emptyStack(dir, layer0, cfg.Depth)                   // floor.go
	if err == nil && cfg.Idmap != nil {
		spec.Upper, spec.Work = cfg.idmapUpper(spec.Upper+"-id"), cfg.idmapUpper(spec.Work+"-id") // as newRuntimeUpper makes them
		err = errors.Join(os.Mkdir(spec.Upper, 0o755), os.Mkdir(spec.Work, 0o755))
	}
	if err != nil {
		return nil, false, errors.Join(err, remove())
	}
	attached, release, err := cfg.idmapStack(cfg.Backend, spec) // idmapped.go
	if err != nil {
		return nil, false, errors.Join(err, remove())
	}
	m, err := cfg.Backend.Mount(ctx, attached)
	if err != nil {
		return nil, false, errors.Join(fmt.Errorf("base view: %w", err), release(), remove())
	}
	kernelOverlay = mounts.FSType(spec.Target) == "overlay"
	s, err = snapshot.TakeSnapshot(spec.Target, snapshot.SnapshotOptions{Identities: ids})
	if uerr := errors.Join(m.Unmount(), release()); uerr != nil {
		// Left in place, never removed while mounted.
		return nil, false, fmt.Errorf("base view: unmount %s: %w", spec.Target, uerr)
	}
	return s, kernelOverlay, errors.Join(err, remove())
}
