package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
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
	if m, ok := o.Backend.(backend.IdMapper); ok {
		b, err := m.WithIdmap(o.Idmap.Layers.MapsLowers(), o.Idmap.Layers.MapsUpper(), idRanges(o.Idmap.Mapping.UID), idRanges(o.Idmap.Mapping.GID))
		var env *EnvError
		if errors.As(err, &env) {
			return &EnvError{Msg: fmt.Sprintf("--idmap %s on %s: %s", o.Idmap.Layers, o.Backend.Name(), env.Msg)}
		}
		if err != nil {
			return err
		}
		s.idmapBackend = b
	}
	return nil
}

// idmapConfig puts the session's mapping into its config: the view, the
// selection, and a backend that maps owners itself.
func (s *Session) idmapConfig() {
	s.cfg.Idmap, s.cfg.IdmapLayers = s.idmap, s.idmapLayers
	if s.idmapBackend != nil {
		s.cfg.Backend, s.cfg.idmapByBackend = s.idmapBackend, true
	}
}

// IdmapByBackend reports whether the backend maps owners itself and takes
// the layers' raw directories (a reproducer mounts it the same way).
func (c Config) IdmapByBackend() bool { return c.idmapByBackend }

func idRanges(rs []idmap.Range) []backend.IDRange {
	out := make([]backend.IDRange, len(rs))
	for i, r := range rs {
		out[i] = backend.IDRange{Container: r.Container, Host: r.Host, Size: r.Size}
	}
	return out
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
// mounts for backend b; release unmounts them.
func (c Config) idmapStack(b backend.Backend, spec backend.MountSpec) (backend.MountSpec, func() error, error) {
	if c.Idmap == nil {
		return spec, func() error { return nil }, nil
	}
	// The same layers without the mapping: a backend that maps them
	// itself, or a test's broken stack. A backend that writes the stack
	// into its target under --idmap all copies raw to raw, the ids as
	// stored, an unmapped owner included (backend.InPlacer); the harness
	// sees the target through the mapping.
	ip, ok := b.(backend.InPlacer)
	inPlace := ok && ip.WritesInPlace() && c.IdmapLayers == idmap.All
	if c.idmapUnmapped || c.idmapByBackend || inPlace {
		for i, l := range spec.Lowers {
			spec.Lowers[i] = c.Idmap.RawPath(l)
		}
		spec.Upper, spec.Work = c.Idmap.RawPath(spec.Upper), c.Idmap.RawPath(spec.Work)
		if inPlace {
			spec.Target = c.Idmap.RawPath(spec.Target)
		}
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

// idmapOwnDir readies dir, a raw directory the runtime upper (and the
// reference) will be made in through the mapping (--idmap upper): it is
// given to container root's host ids. Through the mapping a directory
// owned by an id outside it shows as the overflow id, and root has no
// capability over such an inode (not even to search a 0700 directory),
// as in a container whose scratch the engine forgot to chown.
func (c Config) idmapOwnDir(dir string) error {
	if c.Idmap == nil || c.IdmapLayers.MapsLowers() || !c.IdmapLayers.MapsUpper() {
		return nil
	}
	m := c.Idmap.Mapping()
	uid, _ := m.HostUID(0) // mapped: Mapping.Validate
	gid, _ := m.HostGID(0)
	return os.Lchown(c.Idmap.RawPath(dir), int(uid), int(gid))
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

// idmapBindRaw gives the scenario's directory on the other side of the
// mapping the atime policy of bindScenarioDir too: the raw side holds the
// plain upper and the reference of --idmap lowers, the mapped side the
// upper and the reference of --idmap upper (a bind of a mapped path keeps
// the mapping).
func (r *scenarioRun) idmapBindRaw() error {
	other := r.cfg.idmapOtherSide(r.dir)
	if other == r.dir {
		return nil
	}
	if err := unix.Mount(other, other, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s for its atime policy: %w", other, err)
	}
	r.times.rawBound = true
	return r.setAtimePolicy(other)
}

// idmapOtherSide is the path of the scenario directory dir on the side of
// the mapping where dir is not, if anything of the scenario lies there.
func (c Config) idmapOtherSide(dir string) string {
	switch {
	case c.Idmap == nil:
		return dir
	case c.Idmap.IsMapped(dir):
		return c.Idmap.RawPath(dir)
	case c.IdmapLayers.MapsUpper():
		return c.Idmap.MappedPath(dir)
	}
	return dir
}

func (r *scenarioRun) idmapUnbindRaw() error {
	if !r.times.rawBound {
		return nil
	}
	r.times.rawBound = false
	return mounts.Detach(r.cfg.idmapOtherSide(r.dir))
}

// unmappedCopyFinding turns the error of a read of a layer through the
// mapping (a copy of it, a committer's) into a finding when the file it
// could not read is owned, on disk, by an id outside the mapping: through
// an idmapped mount no capability reaches such an inode, so a copy of the
// layer (or a committer) reading it as the container cannot carry it.
// That is what the layer holds, not a harness failure: the backend stored
// an owner it should have mapped (ok false for any other error).
func (r *scenarioRun) unmappedCopyFinding(err error) (snapshot.Finding, bool) {
	var ce *fsop.CopyError
	if r.cfg.Idmap == nil || !errors.As(err, &ce) || !errors.Is(err, unix.EACCES) {
		return snapshot.Finding{}, false
	}
	var st unix.Stat_t
	if unix.Lstat(filepath.Join(r.cfg.Idmap.RawPath(ce.Dir), ce.Rel), &st) != nil {
		return snapshot.Finding{}, false
	}
	m := r.cfg.Idmap.Mapping()
	_, uidOK := m.ContainerUID(st.Uid)
	_, gidOK := m.ContainerGID(st.Gid)
	if uidOK && gidOK {
		return snapshot.Finding{}, false
	}
	return snapshot.Finding{Kind: snapshot.KindPersistence, Path: ce.Rel, Field: "copy",
		Reference: "read through the mapping",
		Merged:    fmt.Sprintf("EACCES: owned on disk by %d:%d, outside the mapping %s", st.Uid, st.Gid, m)}, true
}

// idmapRawTree gives t, a plain directory in the mapped view (layer 0,
// the reference), its raw side, where fsop.RawLchown stores host ids.
func (c Config) idmapRawTree(t *fsop.Tree) {
	if c.Idmap != nil && c.Idmap.IsMapped(t.Dir) {
		t.Raw = c.Idmap.RawPath(t.Dir)
	}
}

// idmapRawOwnerSkip says why s, which stores host ids on the raw side of
// its trees (fsop.RawLchown), cannot run here ("" if it can). Both the
// layer and the reference must be seen through the mapping, so that an
// owner outside it shows as the overflow id on both sides: only --idmap
// all puts them there (with lowers the reference is on the raw side and
// shows the host id itself, with upper the layers are). And only layer 0
// is a plain directory: a built layer is written through a live mount,
// beneath which the harness changes nothing.
func (c Config) idmapRawOwnerSkip(s scenario.Scenario) string {
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			if !fsop.IsRawOwner(op) {
				continue
			}
			switch {
			case st.Phase != scenario.PhaseLayer || st.Layer != 0:
				return "sets a host owner on the raw side of a layer other than layer 0 (a plain directory): not supported"
			case c.Idmap == nil:
				return "sets a host owner on the raw side of layer 0 and of the reference: runs under --idmap all only (no mapping here)"
			case c.IdmapLayers != idmap.All:
				return fmt.Sprintf("sets a host owner on the raw side of layer 0 and of the reference: runs under --idmap all only "+
					"(with %s the layer and the reference are not both seen through the mapping)", c.IdmapLayers)
			}
		}
	}
	return ""
}
