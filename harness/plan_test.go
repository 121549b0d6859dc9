package harness

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend/control"
	"github.com/layercheck/layercheck/harness/backend/fuseoverlayfs"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/backend/unionfs"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/scenario"
)

// TestPlanCheckIsTheOnePlace: Check fills the one set of defaults and
// refuses every bad setting as a UsageError naming it, before anything is
// made; the Config it opens carries every setting of the plan.
func TestPlanCheckIsTheOnePlace(t *testing.T) {
	ovl, err := overlay.NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	fuse, _ := fuseoverlayfs.NewFuseOverlayfs("")
	union, _ := unionfs.NewUnionfsFuse("")
	bases := func(string) (map[string]*scenario.Base, error) { return nil, nil }
	ok := Plan{Backend: ovl, Depth: DefaultDepth, Bases: bases}
	p, err := ok.Check()
	if err != nil {
		t.Fatal(err)
	}
	if p.Timeout != DefaultTimeout || p.Repeat != 1 || p.Workers != runtime.NumCPU() || p.Build != BuildMount {
		t.Errorf("defaults: %+v", p)
	}
	bad := []struct {
		setting string
		change  func(*Plan)
	}{
		{"depth", func(p *Plan) { p.Depth = 0 }},
		{"depth", func(p *Plan) { p.Depth = MaxDepth + 1 }},
		{"repeat", func(p *Plan) { p.Repeat = -1 }},
		{"build", func(p *Plan) { p.Build = "bogus" }},
		{"build-backend", func(p *Plan) { p.BuildFrom = fuse }},
		{"build-with", func(p *Plan) { p.BuildWith, p.Build = fuse, BuildExtract }},
		{"build-with", func(p *Plan) { p.BuildWith = union }},
		{"layout", func(p *Plan) { p.Layout = "nosuchlayout" }},
		{"layout", func(p *Plan) { p.Layout, p.Keep = layout.PerLayer, true }},
		{"backend", func(p *Plan) { p.Backend = nil }},
	}
	for _, c := range bad {
		p := ok
		c.change(&p)
		_, err := p.Check()
		var ue *UsageError
		if !errors.As(err, &ue) || ue.Setting != c.setting {
			t.Errorf("%s: Check() = %v, want a UsageError of %q", c.setting, err, c.setting)
		}
	}
	// A plan's settings reach the engine's Config.
	full := ok
	full.Build, full.BuildFrom = "extract", control.New()
	full.NoCommitCheck, full.CommitDir, full.FullReference, full.Repeat, full.Timeout = true, "/c", true, 3, NoTimeout
	if full, err = full.Check(); err != nil {
		t.Fatal(err)
	}
	c := full.config()
	if c.Build != BuildExtract || c.Format == nil || !strings.HasPrefix(c.Format.Name(), "overlay") || !c.NoCommitCheck ||
		c.CommitDir != "/c" || !c.FullReference || c.Repeat != 3 || c.Timeout != 0 || c.Depth != DefaultDepth {
		t.Errorf("config of %+v: %+v", full, c)
	}
}
