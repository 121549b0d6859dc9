package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// FloorCost is what the least scenario costs on a backend and base, timed
// through the same code paths a scenario takes: the stack mounted (the base
// and cfg.Depth-1 empty layers under a fresh upper), one snapshot of the
// merged view with the access probes, the unmount, and one copy of the
// base as a reference. No scenario can cost less; a bench divides the real
// per-scenario cost by it.
type FloorCost struct {
	Mount, Walk, Unmount, Reference time.Duration
}

// Total is the whole floor.
func (f FloorCost) Total() time.Duration { return f.Mount + f.Walk + f.Unmount + f.Reference }

// MeasureFloor times one floor cycle on the base of the fixture called
// fixture, in a scratch directory of its own that it removes.
func MeasureFloor(ctx context.Context, cfg Config, fixture string) (FloorCost, error) {
	var fc FloorCost
	base := cfg.Bases[fixture]
	if base == nil {
		return fc, fmt.Errorf("no fixture %q prepared", fixture)
	}
	dir, err := os.MkdirTemp(cfg.Scratch, "floor-")
	if err != nil {
		return fc, err
	}
	defer os.RemoveAll(dir)
	spec, err := emptyStack(dir, base.Dir, cfg.Depth)
	if err != nil {
		return fc, err
	}
	t0 := time.Now()
	m, err := cfg.Backend.Mount(ctx, spec)
	if err != nil {
		return fc, err
	}
	t1 := time.Now()
	_, werr := snapshot.TakeSnapshot(spec.Target, snapshot.SnapshotOptions{Identities: base.Identities})
	t2 := time.Now()
	if err := m.Unmount(); err != nil {
		return fc, err
	}
	t3 := time.Now()
	if werr != nil {
		return fc, werr
	}
	if err := fsop.CopyTree(base.Dir, filepath.Join(dir, "ref")); err != nil {
		return fc, err
	}
	fc = FloorCost{Mount: t1.Sub(t0), Walk: t2.Sub(t1), Unmount: t3.Sub(t2), Reference: time.Since(t3)}
	return fc, nil
}

// emptyStack makes, in dir, the directories of a stack of base under
// depth-1 empty layers with an empty upper, and says how to mount it: the
// floor's stack and the base view's (baseview.go).
func emptyStack(dir, base string, depth int) (backend.MountSpec, error) {
	layers := []string{base}
	for k := 1; k < depth; k++ {
		layers = append(layers, filepath.Join(dir, "l"+strconv.Itoa(k)))
	}
	spec := backend.MountSpec{Lowers: backend.TopFirst(layers), Upper: filepath.Join(dir, "u"), Work: filepath.Join(dir, "w"), Target: filepath.Join(dir, "m")}
	for _, d := range append(layers[1:], spec.Upper, spec.Work, spec.Target) {
		if err := os.Mkdir(d, 0o755); err != nil {
			return spec, err
		}
	}
	return spec, nil
}
