package main

import (
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
)

// newMatrixTarget makes the target item names: NAME, NAME:OPT+OPT, an
// exec:TEMPLATE, or RUNTIME<-BUILD (each NAME[:OPT+OPT]) whose layers
// BUILD builds and RUNTIME mounts, as --build-with does.
func newMatrixTarget(item, unmount string) (*matrixTarget, error) {
	rt, build, exchanged := item, "", false
	if !strings.HasPrefix(item, "exec:") {
		rt, build, exchanged = strings.Cut(item, "<-")
	}
	t := &matrixTarget{Label: item}
	var err error
	if t.Backend, err = targetBackend(rt, unmount); err != nil || !exchanged {
		return t, err
	}
	t.BuildWith, err = targetBackend(build, "")
	return t, err // the target's plan checks that the runtime reads its layers
}

// targetBackend makes NAME or NAME:OPT+OPT ('+' for ','), or an
// exec:TEMPLATE with the --unmount template, the way every subcommand
// makes its backend (backendFlags).
func targetBackend(item, unmount string) (backend.Backend, error) {
	bf := backendFlags{backend: item, unmount: unmount}
	if !strings.HasPrefix(item, "exec:") {
		bf.backend, bf.options, _ = strings.Cut(item, ":")
		bf.options, bf.unmount = strings.ReplaceAll(bf.options, "+", ","), ""
	}
	return bf.newBackend()
}
