package main

import (
	"context"
	"flag"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/registry"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/sandbox"
)

// dimFlags are the dimensions of a run that fuzz takes as run does:
// --layout, --build, --build-backend, and the commit flags (--commit-check,
// --commit-dir, --build-with); the backend's --options come with
// backendFlags. A scenario file records them (dims) and replay makes the
// same configuration from it.
type dimFlags struct {
	layout  string
	build   string
	buildBe string
	commit  commitFlags
}

func (d *dimFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.layout, "layout", "samefs", "where layers and uppers live: "+layoutNames()+" (see 'layercheck backends')")
	fs.StringVar(&d.build, "build", string(harness.BuildMount), "how layers are built: mount, extract, extract-xattr (as in run)")
	fs.StringVar(&d.buildBe, "build-backend", "", "with --build extract: write the layers in this backend's on-disk format")
	d.commit.register(fs)
}

// dims is what a scenario file records of the configuration it ran in.
type dims struct {
	Layout       string `json:"layout,omitempty"`        // "" is samefs
	Build        string `json:"build,omitempty"`         // "" is mount
	BuildBackend string `json:"build_backend,omitempty"` // --build-backend
	BuildWith    string `json:"build_with,omitempty"`    // --build-with
	NoCommit     bool   `json:"no_commit_check,omitempty"`
}

// record is what d asks for, as a scenario file keeps it.
func (d *dimFlags) record() dims {
	out := dims{BuildBackend: d.buildBe, BuildWith: d.commit.buildWith, NoCommit: !d.commit.check}
	if d.layout != string(layout.SameFS) {
		out.Layout = d.layout
	}
	if d.build != string(harness.BuildMount) {
		out.Build = d.build
	}
	return out
}

// fromDims gives d the configuration a scenario file recorded.
func (d *dimFlags) fromDims(r dims) {
	d.layout, d.build, d.buildBe = r.Layout, r.Build, r.BuildBackend
	if d.build == "" {
		d.build = string(harness.BuildMount)
	}
	d.commit = commitFlags{check: !r.NoCommit, buildWith: r.BuildWith}
}

// preparedDims are the checked dimensions, ready for a session.
type preparedDims struct {
	layout    layout.Name
	buildFrom backend.Backend
	buildWith backend.Backend
}

// prepare checks d for backend be, as run checks its flags (exit 2 on a
// bad one).
func (d *dimFlags) prepare(be backend.Backend) (preparedDims, error) {
	p := preparedDims{buildFrom: be}
	var err error
	if d.buildBe != "" && !strings.HasPrefix(d.build, string(harness.BuildExtract)) {
		return p, &harness.UsageError{Msg: "--build-backend: only with --build extract (the layers are written in that backend's format)"}
	}
	if d.buildBe != "" {
		if p.buildFrom, err = registry.NewBackend(d.buildBe, ""); err != nil {
			return p, err
		}
	}
	if err := (&harness.Config{Backend: be}).SetBuildFrom(d.build, p.buildFrom); err != nil {
		return p, err
	}
	if p.buildWith, err = d.commit.buildWithBackend(be, d.build); err != nil {
		return p, err
	}
	p.layout, err = parseLayout(d.layout, "--layout")
	return p, err
}

// apply sets the build mode and the commit flags on a session's config.
func (p preparedDims) apply(d *dimFlags, cfg *harness.Config) error {
	if err := cfg.SetBuildFrom(d.build, p.buildFrom); err != nil {
		return err
	}
	d.commit.apply(cfg, p.buildWith)
	return nil
}

// openDimSession opens the session of a fuzz or replay run with the
// dimensions p.
func openDimSession(ctx context.Context, o harness.SessionOptions, p preparedDims, d *dimFlags) (*harness.Session, error) {
	o.Layout = p.layout
	if o.ScratchBase == "" {
		o.ScratchBase = sandbox.DefaultScratch
	}
	sess, err := harness.OpenSession(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := p.apply(d, &sess.Config); err != nil {
		sess.Close()
		return nil, err
	}
	return sess, nil
}

// dimsLine is the header's account of the dimensions that are not the
// defaults, and the baseline.
func dimsLine(d dims, baseline string) string {
	var parts []string
	for _, kv := range [][2]string{{"layout", d.Layout}, {"build", d.Build}, {"build-backend", d.BuildBackend}, {"build-with", d.BuildWith}, {"baseline", baseline}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	if d.NoCommit {
		parts = append(parts, "no commit check")
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}
