package main

import (
	"errors"
	"flag"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/registry"
)

// commitFlags are the flags of the commit check and of layers built by
// another backend (harness/commitcheck.go, harness/buildwith.go).
type commitFlags struct {
	check     bool   // --commit-check
	dir       string // --commit-dir
	buildWith string // --build-with
}

func (c *commitFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.check, "commit-check", true, "read every final upper back as an OCI layer tar and check that it gives the merged view (for backends whose on-disk format is known)")
	fs.StringVar(&c.dir, "commit-dir", "", "keep the layer tars of the commit check in `DIR` (DIR/SCENARIO/layer-K.tar, upper.tar)")
	fs.StringVar(&c.buildWith, "build-with", "", "build the read-only layers through this `BACKEND` and mount the runtime stack with --backend (their on-disk formats must agree)")
}

// buildWithBackend makes the --build-with backend, if one is asked for
// (the plan checks that the runtime backend reads its layers).
func (c *commitFlags) buildWithBackend() (backend.Backend, error) {
	if c.buildWith == "" {
		return nil, nil
	}
	b, err := registry.NewBackend(c.buildWith, "")
	var ue *harness.UsageError
	if errors.As(err, &ue) {
		return nil, &harness.UsageError{Setting: "build-with", Msg: ue.Msg}
	}
	return b, err
}
