package harness

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/layout"
	"golang.org/x/sys/unix"
)

// Idmapped layers (--idmap, harness/idmap): the harness acts as the
// container. The session's scratch gets a mapped view (idmap.View); the
// bases, the layers and the references of the scenarios live in it when
// the lowers are mapped (so what the harness writes is stored as host ids
// and it reads container ids), and the runtime upper lives on the side
// its selection says: the raw side for "lowers" (a plain upper stores
// what the container writes, container ids), the mapped side for "upper"
// and "all". Every mount gets, for each layer given by a mapped path, an
// idmapped mount of its own (idmap.View.Stack); the reference is the
// mapped view of a plain directory, so ids outside the mapping show and
// fail there as the kernel makes them show and fail.
//
// The hook points: Plan.Idmap (checked by checkIdmap), OpenSession
// (openIdmap, layersRoot), Session.Close (closeIdmap), Session.probe and
// scenarioRun.mountWith (Config.idmapStack), newRuntimeUpper
// (Config.idmapUpper).

// checkIdmap checks that a plan's mapping can run (Plan.Check).
func checkIdmap(p Plan) error {
	if p.Idmap == nil {
		return nil
	}
	if p.Layout != "" && p.Layout != layout.SameFS {
		return &UsageError{Setting: "idmap", Msg: fmt.Sprintf("runs with the samefs layout only, not %s", p.Layout)}
	}
	if p.Idmap.Layers == idmap.Upper {
		// The layers would sit on the raw side and the upper in the mapped
		// view beneath the same scenario directory, which root cannot
		// create in through the mapping: not done yet.
		return &UsageError{Setting: "idmap", Msg: "upper: not supported yet (lowers and all are)"}
	}
	return nil
}

// openIdmap makes the session's user namespace and mapped view (the plan
// is checked).
func (s *Session) openIdmap(o Plan) error {
	if o.Idmap == nil {
		return nil
	}
	ns, err := idmap.NewUserns(o.Idmap.Mapping)
	if err != nil {
		return &EnvError{Msg: fmt.Sprintf("--idmap: %v", err)}
	}
	view, err := idmap.NewView(ns, s.Scratch.Dir) // owns ns from here on
	if err != nil {
		return &EnvError{Msg: fmt.Sprintf("--idmap: this kernel or %s cannot make an idmapped mount: %v", s.fsType, err)}
	}
	s.idmap, s.idmapLayers = view, o.Idmap.Layers
	return nil
}

// layersRoot is where the bases and the scenarios' directories go.
func (s *Session) layersRoot() string {
	if s.idmap != nil && s.idmapLayers.MapsLowers() {
		return s.idmap.Mapped
	}
	return s.Scratch.Dir
}

func (s *Session) closeIdmap() error {
	if s.idmap == nil {
		return nil
	}
	v := s.idmap
	s.idmap = nil
	return v.Close()
}

// idmapStack attaches the layers of spec given by mapped paths as idmapped
// mounts; release unmounts them.
func (c Config) idmapStack(spec backend.MountSpec) (backend.MountSpec, func() error, error) {
	if c.Idmap == nil {
		return spec, func() error { return nil }, nil
	}
	if c.idmapUnmapped { // the same layers without the mapping (tests only)
		for i, l := range spec.Lowers {
			spec.Lowers[i] = c.Idmap.RawPath(l)
		}
		spec.Upper, spec.Work = c.Idmap.RawPath(spec.Upper), c.Idmap.RawPath(spec.Work)
		return spec, func() error { return nil }, nil
	}
	lowers, upper, work, release, err := c.Idmap.Stack(spec.Lowers, spec.Upper, spec.Work)
	if err != nil {
		return spec, nil, &EnvError{Msg: fmt.Sprintf("--idmap: %v", err)}
	}
	spec.Lowers, spec.Upper, spec.Work = lowers, upper, work
	return spec, release, nil
}

// idmapUpper is the path of a runtime upper (or work) dir p on the side
// the selection puts it.
func (c Config) idmapUpper(p string) string {
	switch {
	case c.Idmap == nil || c.IdmapLayers.MapsUpper() == c.IdmapLayers.MapsLowers():
		return p
	case c.IdmapLayers.MapsUpper():
		return c.Idmap.MappedPath(p)
	}
	return c.Idmap.RawPath(p)
}

// withRelease makes m's Unmount also release the idmapped layer mounts.
func withRelease(m backend.Mount, release func() error) backend.Mount {
	return releasingMount{m, release}
}

type releasingMount struct {
	backend.Mount
	release func() error
}

func (m releasingMount) Unmount() error {
	if err := m.Mount.Unmount(); err != nil {
		return err // the layers stay mounted beneath a mount that is still up
	}
	return m.release()
}

// idmapRaw is p's raw path: where the harness removes a tree (through the
// mapping, the kernel refuses to unlink what an unmapped id owns).
func (c Config) idmapRaw(p string) string {
	if c.Idmap == nil {
		return p
	}
	return c.Idmap.RawPath(p)
}

// idmapBaseSource is what a whole reference is copied from: the base as
// the container sees it (a test copies its raw ids instead).
func (c Config) idmapBaseSource(base string) string {
	if c.idmapRawReference {
		return c.Idmap.RawPath(base)
	}
	return base
}

// idmapReference is the path of the reference dir p: on the upper's side,
// since what the container writes is stored as the upper stores it (a
// test's naive reference on the raw side).
func (c Config) idmapReference(p string) string {
	if c.idmapRawReference {
		return c.Idmap.RawPath(p)
	}
	return c.idmapUpper(p)
}

// idmapBindRaw gives the raw path of the scenario's directory the atime
// policy of bindScenarioDir too: the plain upper and the reference of
// --idmap lowers lie there.
func (r *scenarioRun) idmapBindRaw() error {
	raw := r.cfg.idmapRaw(r.dir)
	if raw == r.dir {
		return nil
	}
	if err := unix.Mount(raw, raw, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s for its atime policy: %w", raw, err)
	}
	r.times.rawBound = true
	return r.setAtimePolicy(raw)
}

func (r *scenarioRun) idmapUnbindRaw() error {
	if !r.times.rawBound {
		return nil
	}
	r.times.rawBound = false
	return mounts.Detach(r.cfg.idmapRaw(r.dir))
}
