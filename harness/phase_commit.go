package harness

// commitInput is the commit check's input: the views the runtime phase
// took, which the runtime upper read as a committed layer must show.
type commitInput struct {
	runtime views
}

// checkCommit is the commit check phase (commitcheck.go): with the
// runtime mount down, the runtime upper is read per the backend's on-disk
// format onto an image of the layers below and compared with the merged
// view; differences are findings of phase "runtime". The layers' own
// checks run in the build phase (commitBuiltLayer).
func checkCommit(r *scenarioRun, in commitInput) error {
	if _, rf, ok := r.commitFormats(); ok {
		return r.commitCheck("runtime", len(r.layers), rf, in.runtime.merged, in.runtime.ref)
	}
	return nil
}
