package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// rebuiltInput is the rebuilt phase's input: the views of the remount,
// which the rebuilt copies must show.
type rebuiltInput struct {
	remount views
}

// rebuildCopies is the last phase, of a scenario with Scenario.Rebuild: every
// layer and the runtime upper are copied file by file to new directories
// (CopyTree: types, modes, owners, data, xattrs of every namespace, the
// backend's markers among them, device numbers and so whiteouts, hardlink
// groups), the copies are mounted with a fresh work directory, and the view
// must be the one the remount showed (persistence findings, phase
// "rebuilt"). overlayfs.rst, "Sharing and copying layers": copying layers
// to another tree or machine is common practice, and only the "index"
// feature refuses the copies (documented: the lower root's file handle no
// longer verifies), so with index on the phase does not run.
func rebuildCopies(r *scenarioRun, in rebuiltInput) error {
	if !r.s.Rebuild {
		return nil
	}
	if c, ok := r.cfg.Backend.(backend.CopyRefuser); ok && c.RefusesCopiedLayers() != "" {
		return nil
	}
	before, ref := in.remount.merged, in.remount.ref
	shared, err := r.sharedRebuiltBase() // rebuiltbase.go: layer 0's copy, made once per run
	if err != nil {
		return err
	}
	copied := r.copiedLayer0() // baseview.go: layer 0 is the scenario's copy of the base
	copies := make([]string, len(r.layers))
	for k, l := range r.layers {
		if k == 0 && shared != nil {
			copies[0], r.rebuiltBase = shared.dir, shared.dir
			continue
		}
		copies[k] = filepath.Join(r.dir, "rebuilt-l"+strconv.Itoa(k))
		if err := fsop.CopyTree(l, copies[k]); err != nil {
			return r.unreadableCopy(err, before, ref, fmt.Sprintf("rebuild layer %d", k))
		}
		if k == 0 && copied {
			// What no op reached in the copy of the copy is still the
			// base's: the base view stands for it as it did for layer 0.
			ids, err := snapshot.TakeIdents(copies[0])
			if err != nil {
				return err
			}
			r.layer0Copy, r.layer0Idents = copies[0], ids
		}
	}
	upper, work := filepath.Join(r.dir, "rebuilt-u"), filepath.Join(r.dir, "rebuilt-w")
	if err := fsop.CopyTree(r.upper, upper); err != nil {
		return r.unreadableCopy(err, before, ref, "rebuild the upper")
	}
	if err := os.Mkdir(work, 0o755); err != nil {
		return err
	}
	r.layers, r.upper, r.work = copies, upper, work
	if err := r.mountRuntime(); err != nil {
		return fmt.Errorf("rebuilt: %w", err)
	}
	after, err := r.snapshotMerged(ref, in.remount.lowers) // the copies' sources
	if uerr := r.unmount(); err == nil {
		err = uerr
	}
	r.checkRebuiltBase(shared)
	if err != nil {
		return err
	}
	r.add("rebuilt", snapshot.CompareAs(snapshot.KindPersistence, "rebuilt", before, after), after, ref)
	r.add("rebuilt", after.Invariants, after, ref)
	return nil
}

// unreadableCopy is what a failed copy of a layer (what) comes to: the
// rebuilt phase's finding, and its end, where the layer holds a file whose
// owner the mapping cannot show (idmapped.go); any other error, wrapped.
func (r *scenarioRun) unreadableCopy(err error, before, ref *snapshot.Snapshot, what string) error {
	if f, ok := r.unmappedCopyFinding(err); ok {
		r.add("rebuilt", []snapshot.Finding{f}, before, ref)
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
