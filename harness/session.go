package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
	"golang.org/x/sys/unix"
)

// MaxDepth is the most read-only layers a stack may have: kernel
// overlayfs's limit of lower layers.
const MaxDepth = 500

// Session is a prepared run: scratch, bases, a backend that mounts, and
// the Config every scenario of the run reads, fixed when it opens
// (session_run.go runs scenarios on it).
type Session struct {
	Scratch *sandbox.Scratch
	plan    Plan
	cfg     Config
	fsType  string
	storage *layout.Storage // session_layout.go; nil for samefs
	// standing holds the null scenarios' results by fixture
	// (session_run.go); mu guards it and cfg.Standing.
	mu       sync.Mutex
	standing map[string]Result
	// idmap is the mapped view of the scratch (idmapped.go), nil without
	// --idmap.
	idmap       *idmap.View
	idmapLayers idmap.Layers
	// idmapBackend is the backend with its own mapping (backend.IdMapper).
	idmapBackend backend.Backend
}

// OpenSession checks the plan (Plan.Check), makes the scratch directory,
// builds the bases and makes one probe mount through the backend, so that
// a bad option or a missing privilege is reported once, in the kernel's
// words, before any scenario runs. The error is a *UsageError (exit 2) or
// an *EnvError (exit 3) where it is one of those.
func OpenSession(ctx context.Context, p Plan) (*Session, error) {
	o, err := p.Check()
	if err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return nil, &EnvError{Msg: "layercheck mounts filesystems and acts as several users: run it as root"}
	}
	if err := checkKernel(); err != nil { // kernel.go
		return nil, err
	}
	if o.ScratchBase == "" {
		o.ScratchBase = sandbox.DefaultScratch
	}
	// Ops create with exactly the mode they name unless they set a umask
	// (By.Umask): the caller's umask must not leak into what is tested,
	// and reproducer scripts start from umask 0 likewise.
	unix.Umask(0)
	tmpfs := !o.OnDisk && !o.Keep // a kept tree must outlive the run's private tmpfs
	sc, err := sandbox.NewScratch(o.ScratchBase, tmpfs)
	if err != nil {
		return nil, err
	}
	s := &Session{Scratch: sc, fsType: sc.FSType, plan: o, standing: map[string]Result{}}
	fail := func(err error) (*Session, error) {
		s.Close()
		return nil, err
	}
	if err := s.openIdmap(o); err != nil { // idmapped.go
		return fail(err)
	}
	basesDir := filepath.Join(s.layersRoot(), "bases")
	if err := os.Mkdir(basesDir, 0o755); err != nil {
		return fail(err)
	}
	bases, err := o.Bases(basesDir)
	if err != nil {
		return fail(err)
	}
	scenParent, err := s.openLayout(o, basesDir) // session_layout.go
	if err != nil {
		return fail(err)
	}
	if s.idmap != nil {
		scenParent = s.layersRoot() // samefs only (openIdmap)
	}
	scenDir := filepath.Join(scenParent, "scenarios")
	if err := os.Mkdir(scenDir, 0o755); err != nil {
		return fail(err)
	}
	s.cfg = o.config()
	s.cfg.Scratch, s.cfg.Bases, s.cfg.Storage = scenDir, bases, s.storage
	s.idmapConfig() // idmapped.go
	if err := s.probe(ctx); err != nil {
		return fail(err)
	}
	return s, nil
}

// probe mounts one base with an empty upper, tries the optional features
// on it (Config.Features) and unmounts it.
func (s *Session) probe(ctx context.Context) error {
	var base *scenario.Base
	for _, b := range s.cfg.Bases {
		base = b
		break
	}
	if base == nil {
		return errors.New("no base tree prepared")
	}
	dir, err := os.MkdirTemp(s.cfg.Scratch, "probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(s.cfg.idmapRaw(dir))
	if err := s.cfg.idmapOwnDir(dir); err != nil { // idmapped.go
		return err
	}
	spec := backend.MountSpec{Lowers: []string{base.Dir}, Upper: s.cfg.idmapUpper(filepath.Join(dir, "u")),
		Work: s.cfg.idmapUpper(filepath.Join(dir, "w")), Target: filepath.Join(dir, "m")}
	for _, d := range []string{spec.Upper, spec.Work, spec.Target} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	attached, release, err := s.cfg.idmapStack(s.cfg.Backend, spec) // idmapped.go: the probe reads spec.Target
	if err != nil {
		return err
	}
	defer release()
	m, err := s.cfg.Backend.Mount(ctx, attached)
	if err != nil {
		var me *backend.MountError
		if errors.As(err, &me) {
			switch me.Errno {
			case unix.EINVAL:
				return &UsageError{Setting: "options", Msg: fmt.Sprintf("%s refused the mount with options %q: %s", s.cfg.Backend.Name(), s.cfg.Backend.Options(), orErrno(me))}
			case unix.ENODEV:
				return &EnvError{Msg: fmt.Sprintf("this kernel has no %s support (ENODEV)", s.cfg.Backend.Name())}
			}
		}
		return &EnvError{Msg: fmt.Sprintf("%s cannot mount here: %v", s.cfg.Backend.Name(), err)}
	}
	s.cfg.Features = probeFeatures(spec.Target)
	return m.Unmount()
}

func orErrno(me *backend.MountError) string {
	if me.Kernel != "" {
		return me.Kernel
	}
	return me.Errno.Error()
}

// Close removes the scratch directory and everything in it.
func (s *Session) Close() error {
	if s.Scratch == nil || s.cfg.Keep {
		return nil
	}
	sc := s.Scratch
	s.Scratch = nil
	forgetBaseImages(sc.Dir)   // commitbase.go
	forgetBaseViews(sc.Dir)    // baseview.go
	forgetRebuiltBases(sc.Dir) // rebuiltbase.go
	return errors.Join(s.closeIdmap(), s.closeLayout(), sc.Close())
}

// FSType is the filesystem the layers and the reference live on.
func (s *Session) FSType() string { return s.fsType }
