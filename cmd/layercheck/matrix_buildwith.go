package main

import (
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/registry"
)

// newMatrixTarget makes the target item names: NAME, NAME:OPT+OPT, an
// exec:TEMPLATE, or RUNTIME<-BUILD (each NAME[:OPT+OPT]) whose layers
// BUILD builds and RUNTIME mounts, as --build-with does.
func newMatrixTarget(item string) (*matrixTarget, error) {
	rt, build, exchanged := item, "", false
	if !strings.HasPrefix(item, "exec:") {
		rt, build, exchanged = strings.Cut(item, "<-")
	}
	t := &matrixTarget{Label: item}
	var err error
	if t.Backend, err = targetBackend(rt); err != nil || !exchanged {
		return t, err
	}
	if t.BuildWith, err = targetBackend(build); err != nil {
		return t, err
	}
	return t, harness.CheckBuildWith(t.Backend, t.BuildWith)
}

// targetBackend makes NAME or NAME:OPT+OPT ('+' for ',').
func targetBackend(item string) (backend.Backend, error) {
	name, opts := item, ""
	if !strings.HasPrefix(item, "exec:") {
		name, opts, _ = strings.Cut(item, ":")
		opts = strings.ReplaceAll(opts, "+", ",")
	}
	return registry.NewBackend(name, opts)
}
