package harness

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// buildInput is the build phase's input: the scenario's steps, all phases.
type buildInput struct {
	steps []scenario.Step
}

// buildOutput is what the build leaves to the later phases: the runtime
// and the offline steps, in order.
type buildOutput struct {
	runtime, offline []scenario.Step
}

// buildLayers is the build phase: it applies the layer steps, bottom to
// top, through a mount of the backend (mounting.go) or extracted
// (extract.go), into the layers prepareRun made.
func buildLayers(r *scenarioRun, in buildInput) (out buildOutput, err error) {
	var x extractState // the extract builder's, within this phase
	for _, st := range in.steps {
		switch st.Phase {
		case scenario.PhaseLayer:
			build := r.buildLayer // mounting.go
			if r.cfg.Extracting() && st.Layer > 0 {
				build = func(st scenario.Step) error { return x.step(r, st) } // extract.go
			}
			if err := build(st); err != nil {
				return buildOutput{}, err
			}
		case scenario.PhaseRuntime:
			out.runtime = append(out.runtime, st)
		case scenario.PhaseOffline:
			out.offline = append(out.offline, st)
		}
	}
	return out, x.flush(r)
}

// buildLayer applies a layer step: layer 0 directly, layer k through a
// mount of layers 0..k-1 with layer k as the upper.
func (r *scenarioRun) buildLayer(st scenario.Step) error {
	phase := fmt.Sprintf("layer %d", st.Layer)
	defer r.ref.CloseFiles() // what descriptor ops left open ends with the layer (t.Close: the other side)
	if st.Layer == 0 {
		t, err := fsop.OpenTree(r.layers[0])
		if err != nil {
			return err
		}
		defer t.Close()
		r.cfg.idmapRawTree(t)              // idmapped.go: for fsop.RawLchown
		at := opSite{phase: phase, sut: t} // no upper: layer 0 is a plain directory
		for _, op := range st.Ops {
			r.lockstep(at, op)
		}
		r.stampLayer(at, st) // times.go
		return nil
	}
	lowers, err := r.lowers(r.layers[:st.Layer]) // layouts.go: sealed once built
	if err != nil {
		return err
	}
	spec := backend.MountSpec{Lowers: lowers, Upper: r.layers[st.Layer], Work: r.buildWork(st.Layer), Target: r.target}
	if err := r.mountWith(r.cfg.layerBackend(), spec); err != nil { // buildwith.go
		return fmt.Errorf("build layer %d: %w", st.Layer, err)
	}
	t, err := fsop.OpenTree(r.target)
	if err != nil {
		return err
	}
	at := opSite{phase: phase, sut: t, upper: r.layers[st.Layer]}
	for _, op := range st.Ops {
		if err := r.halted(); err != nil {
			t.Close()
			return err
		}
		r.lockstep(at, op)
	}
	r.stampLayer(at, st) // times.go
	t.Close()
	return r.commitBuiltLayer(st.Layer) // commitcheck.go: unmounts, checks the layer
}
