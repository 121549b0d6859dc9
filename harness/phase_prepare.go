package harness

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// prepareRun is the first phase. It takes the scenario and the
// configuration and fills the run state every later phase reads: the
// scenario's directory, the mount point, the runtime upper and work dir,
// the reference (a plain copy of the base) and the layers (layer 0 is the
// shared base unless the scenario changes it).
func prepareRun(r *scenarioRun) error {
	if err := r.s.CheckOrder(); err != nil {
		return err
	}
	r.base = r.cfg.Bases[r.s.FixtureName()]
	if r.base == nil {
		return fmt.Errorf("no fixture %q prepared", r.s.FixtureName())
	}
	dir, err := os.MkdirTemp(r.cfg.Scratch, "s-")
	if err != nil {
		return err
	}
	r.dir = dir
	if err := r.bindScenarioDir(); err != nil { // times.go: the atime policy
		return err
	}
	r.target = filepath.Join(dir, "m")
	if err := os.Mkdir(r.target, 0o755); err != nil {
		return err
	}
	if r.upper, r.work, err = r.newRuntimeUpper(); err != nil {
		return err
	}
	refDir := r.cfg.idmapReference(filepath.Join(dir, "ref")) // idmapped.go
	if err := r.prepareReference(refDir); err != nil {        // reference.go
		return fmt.Errorf("copy the base to the reference: %w", err)
	}
	if r.ref, err = fsop.OpenTree(refDir); err != nil {
		return err
	}
	r.cfg.idmapRawTree(r.ref) // idmapped.go: for fsop.RawLchown
	return r.prepareLayers()
}

// prepareLayers makes the directory of every layer; layer 0 is the shared
// base unless the scenario changes it, then a copy of its own.
func (r *scenarioRun) prepareLayers() (err error) {
	r.layers = make([]string, r.cfg.Depth)
	r.layers[0] = r.base.Dir
	if r.usesStorage() {
		if r.layers[0], err = r.ownLayer0(); err != nil {
			return err
		}
	} else if r.touchesLayer0() || r.timesCompared() { // times: layer 0 under the atime policy too
		r.layers[0] = filepath.Join(r.dir, "l0")
		if err := fsop.CopyTree(r.base.Dir, r.layers[0]); err != nil {
			return fmt.Errorf("copy the base to layer 0: %w", err)
		}
		if r.layer0Copy = r.layers[0]; r.readsCopiesByIdents() { // baseview.go
			// Taken before any op: what keeps them holds the base's content.
			if r.layer0Idents, err = snapshot.TakeIdents(r.layers[0]); err != nil {
				return err
			}
		}
	}
	for k := 1; k < r.cfg.Depth; k++ {
		if r.layers[k], _, err = r.newLayer(k); err != nil {
			return err
		}
	}
	return nil
}

// touchesLayer0 reports whether the scenario changes layer 0 (then it gets
// its own copy of the base).
func (r *scenarioRun) touchesLayer0() bool {
	for _, st := range r.s.Steps {
		if st.Phase != scenario.PhaseRuntime && st.Layer == 0 && len(st.Ops) > 0 {
			return true
		}
	}
	return false
}
