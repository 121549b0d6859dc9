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

// buildWithBackend makes the --build-with backend, if one is asked for,
// and checks that rt can read its layers.
func (c *commitFlags) buildWithBackend(rt backend.Backend, build string) (backend.Backend, error) {
	if c.buildWith == "" {
		return nil, nil
	}
	if build != "" && build != string(harness.BuildMount) {
		return nil, &harness.UsageError{Msg: "--build-with: only with --build mount (the layers are built through that backend's mounts)"}
	}
	b, err := registry.NewBackend(c.buildWith, "")
	var ue *harness.UsageError
	if errors.As(err, &ue) {
		return nil, &harness.UsageError{Setting: "build-with", Msg: ue.Msg}
	}
	if err != nil {
		return nil, err
	}
	if err := harness.CheckBuildWith(rt, b); err != nil {
		return nil, err
	}
	return b, nil
}

// apply sets the commit check and the build backend on cfg.
func (c *commitFlags) apply(cfg *harness.Config, buildWith backend.Backend) {
	cfg.NoCommitCheck, cfg.CommitDir, cfg.BuildWith = !c.check, c.dir, buildWith
}
