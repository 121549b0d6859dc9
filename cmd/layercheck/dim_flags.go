package main

import (
	"flag"
	"strings"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend/registry"
	"github.com/layercheck/layercheck/harness/layout"
)

// dimFlags are the dimensions of a run that run and fuzz take alike:
// --layout, --build, --build-backend, and the commit flags (--commit-check,
// --commit-dir, --build-with); the backend's --options come with
// backendFlags. They are defined here once and fill a harness.Plan (fill);
// a fuzz scenario file records them (dims) and replay makes the same plan
// from it.
type dimFlags struct {
	layout  string
	build   string
	buildBe string
	commit  commitFlags
}

func (d *dimFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.layout, "layout", "samefs", "where layers and uppers live: "+layoutNames()+" (see 'layercheck backends')")
	fs.StringVar(&d.build, "build", string(harness.BuildMount), "how layers are built: mount (through the backend), extract (written directly in its on-disk format, as an image extractor does), extract-xattr (overlay's xattr whiteouts)")
	fs.StringVar(&d.buildBe, "build-backend", "", "with --build extract: write the layers in this backend's on-disk format (default: --backend's), to mount layers another engine wrote")
	d.commit.register(fs)
}

// dims is what a scenario file records of the configuration it ran in.
type dims struct {
	Layout       string `json:"layout,omitempty"`        // "" is samefs
	Build        string `json:"build,omitempty"`         // "" is mount
	BuildBackend string `json:"build_backend,omitempty"` // --build-backend
	BuildWith    string `json:"build_with,omitempty"`    // --build-with
	NoCommit     bool   `json:"no_commit_check,omitempty"`
	// Idmap is --idmap as fuzz ran with it, "" for none (idmap_flags.go):
	// replay attaches the layers through the same mapping.
	Idmap string `json:"idmap,omitempty"`
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

// fill sets the plan's layout, build mode and commit check from d, and its
// base trees: the fixtures laid over base ("" for none), less what the
// layout cannot hold (fixtures.BasesFor); the plan checks them with the
// rest (harness.Plan.Check).
func (d *dimFlags) fill(p *harness.Plan, base string) error {
	var err error
	if d.buildBe != "" {
		if p.BuildFrom, err = registry.NewBackend(d.buildBe, ""); err != nil {
			return err
		}
	}
	if p.BuildWith, err = d.commit.buildWithBackend(); err != nil {
		return err
	}
	if p.Layout, err = parseLayout(d.layout, "--layout"); err != nil {
		return err
	}
	p.Bases = fixtures.BasesFor(base, layout.MaxName(p.Layout))
	p.Build = harness.BuildMode(d.build)
	p.NoCommitCheck, p.CommitDir = !d.commit.check, d.commit.dir
	return nil
}

// checkedPlan completes p with the dimensions d and the mapping b asks
// for (--idmap), with base as the user's tree ("" for none), and checks
// it: the one way run, fuzz and replay finish their plans.
func (d *dimFlags) checkedPlan(p harness.Plan, b *backendFlags, base string) (harness.Plan, error) {
	if err := d.fill(&p, base); err != nil {
		return harness.Plan{}, err
	}
	var err error
	if p.Idmap, err = b.idmapSpec(); err != nil {
		return harness.Plan{}, err
	}
	return p.Check()
}

// dimsLine is the header's account of the dimensions that are not the
// defaults, and the baseline.
func dimsLine(d dims, baseline string) string {
	var parts []string
	for _, kv := range [][2]string{{"layout", d.Layout}, {"build", d.Build}, {"build-backend", d.BuildBackend}, {"build-with", d.BuildWith}, {"idmap", d.Idmap}, {"baseline", baseline}} {
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
