package harness

import "github.com/layercheck/layercheck/harness/scenario"

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
	for _, st := range in.steps {
		switch st.Phase {
		case scenario.PhaseLayer:
			build := r.buildLayer
			if r.cfg.Extracting() && st.Layer > 0 {
				build = r.extractStep
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
	return out, r.flushExtract()
}
