package harness

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/layercheck/layercheck/harness/layout"
)

// openLayout prepares the run's storage for o.Layout and returns the
// directory the scenarios' directories go beneath: the run directory for
// samefs (today's behaviour), else the layout's scratch (run/fs). The
// bases stay on the run's own filesystem; each scenario copies layer 0
// onto the layout's storage (layouts.go, ownLayer0).
func (s *Session) openLayout(o Plan, basesDir string) (string, error) {
	if o.Layout == "" || o.Layout == layout.SameFS {
		return s.Scratch.Dir, nil
	}
	if why := layout.Available(o.Layout); why != "" {
		return "", &EnvError{Msg: fmt.Sprintf("layout %s cannot run on this machine: %s", o.Layout, why)}
	}
	dir := filepath.Join(s.Scratch.Dir, "fs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	st, err := layout.Scratch(o.Layout, dir, layoutSize(basesDir, o.Depth), layout.Options{})
	if err != nil {
		return "", &EnvError{Msg: fmt.Sprintf("layout %s: %v", o.Layout, err)}
	}
	s.storage, s.fsType = st, st.FSType()
	return dir, nil
}

// layoutSize is what the scenarios running at once may need on an image
// scratch: per scenario, the reference and layer 0 are copies of a base,
// and the layers above and the upper hold a few changes each.
func layoutSize(basesDir string, depth int) int64 {
	var bases int64
	filepath.WalkDir(basesDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				bases += info.Size() + 4096
			}
		}
		return nil
	})
	return bases * int64(depth+3) * int64(runtime.NumCPU())
}

// closeLayout takes the layout's storage down (after every scenario has
// released its part).
func (s *Session) closeLayout() error {
	if s.storage == nil {
		return nil
	}
	st := s.storage
	s.storage = nil
	return st.Close()
}

// Layout is the storage layout of the run.
func (s *Session) Layout() layout.Name {
	if s.cfg.Layout == "" {
		return layout.SameFS
	}
	return s.cfg.Layout
}

// checkLayout is Plan.Check's part for the layout: a name the layout
// package knows, and no kept trees on storage the run takes down.
func checkLayout(p Plan) error {
	if p.Layout == "" || p.Layout == layout.SameFS {
		return nil
	}
	if _, err := layout.Parse(string(p.Layout)); err != nil {
		return &UsageError{Setting: "layout", Msg: err.Error()}
	}
	if p.Keep {
		return &UsageError{Setting: "layout", Msg: fmt.Sprintf("%s mounts filesystems that the run takes down at its end: keeping the scenarios' trees works with samefs only", p.Layout)}
	}
	return dataOnlyOptions(p) // layout_dataonly.go
}
