package repro

import (
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/layout"
)

// The nested layout (harness/nested.go): the runtime mount and the
// remount take one lower, an overlay of every layer mounted through the
// backend with an upper of its own that nothing writes to. The script
// mounts the same inner overlay at n (upper nu, work nw) and takes it
// down after the mount above it.

// nested reports whether the run stacked its runtime mount on an inner
// overlay.
func nested(cfg harness.Config) bool { return cfg.Layout == layout.Nested }

// runtimeLowers writes the inner mount where the layout has one and
// returns the runtime mount's lowers, top first.
func (g *gen) runtimeLowers() []string {
	lowers := backend.TopFirst(g.dirs)
	if !g.nested {
		return lowers
	}
	g.w.printf("# nested: the layers as one overlay, the runtime mount's single lower\n")
	g.w.printf("mkdir -p n nu nw && %s || exit 2\n", g.sm.MountShell(backend.MountSpec{Lowers: lowers, Data: g.data, Upper: "nu", Work: "nw", Target: "n"}))
	return []string{"n"}
}

// unmountInner writes the inner mount's unmount, after the runtime's.
func (g *gen) unmountInner() {
	if g.nested {
		g.w.printf("%s\n", g.sm.UnmountShell("n"))
	}
}
