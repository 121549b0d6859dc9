package harness

import (
	"fmt"
	"runtime"
	"time"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/scenario"
)

// The defaults of a Plan, the same for every front end (the command's
// run, matrix, fuzz, bench and replay, TestBackend, the Ginkgo specs).
const (
	// DefaultDepth is the read-only layers under the upper when the user
	// names none (every front end's default): enough for a lower, a middle and a top layer, so that
	// every scenario can be placed, and quick.
	DefaultDepth = 3
	// DefaultTimeout is the time limit of one scenario when a plan names
	// none; NoTimeout turns the limit off.
	DefaultTimeout = 2 * time.Minute
	NoTimeout      = time.Duration(-1)
)

// Plan is everything a run is: what to test, where, how the layers are
// built and how the results are judged. A front end fills it in and
// OpenSession checks it, in one place (Plan.Check), with one set of
// defaults, and opens a Session from it; the session never changes after.
//
// A new dimension of a run (a mapping of the layers' owners, say) is one
// field here, its check in Check, and its place in the engine's Config
// (Plan.config): every front end that builds a plan gets it, and a front
// end that offers it sets the field.
type Plan struct {
	Backend backend.Backend
	// Depth is the read-only layers under the upper, 1 to MaxDepth
	// (front ends offer DefaultDepth when the user names none; 0 is out
	// of range, so that a depth someone asked for is never replaced).
	Depth int
	// Layout is the storage layout (harness/layout); "" is samefs.
	Layout layout.Name
	// Bases builds the base trees beneath dir (a directory per fixture
	// name) and returns them: the front end's fixtures (the engine knows
	// none).
	Bases func(dir string) (map[string]*scenario.Base, error)
	// ScratchBase is where the run makes its directories
	// (sandbox.DefaultScratch if empty); OnDisk runs on its own
	// filesystem instead of a fresh tmpfs; Keep keeps every scenario's
	// directories.
	ScratchBase string
	OnDisk      bool
	Keep        bool
	// Timeout is the time limit of one scenario: 0 is DefaultTimeout,
	// NoTimeout none.
	Timeout time.Duration
	// Build is how layers are built (BuildMount if empty, BuildExtract,
	// "extract-xattr"); BuildFrom, with an extract mode, is the backend
	// whose on-disk format the layers are written in (Backend if nil).
	Build     BuildMode
	BuildFrom backend.Backend
	// BuildWith, if set, builds the read-only layers through that
	// backend's mounts (buildwith.go); only with BuildMount.
	BuildWith backend.Backend
	// NoCommitCheck turns the commit check off; CommitDir keeps its tars.
	NoCommitCheck bool
	CommitDir     string
	// FullReference copies the whole base into every reference;
	// FullCompare reads every entry of every merged view in full (the
	// slow ways, to check the fast ones against).
	FullReference bool
	FullCompare   bool
	// KernelLogOK runs the scenarios that make the kernel print on
	// purpose (Scenario.KernelLog): for a machine whose kernel log is the
	// run's own (a VM's guest), never by default on a host.
	KernelLogOK bool
	// Repeat runs each scenario this many times (repeat.go); 0 is 1.
	Repeat int
	// Workers is the scenarios run at once; 0 is one per CPU.
	Workers int
	// Gate judges the results (gate.go): baseline and fail-on.
	Gate Gate
	// Idmap, if set, attaches layers through a mapping of owners
	// (--idmap; idmapped.go, harness/idmap).
	Idmap *idmap.Spec
	// OnStart, if set, is called with a scenario's name as the session
	// starts it, from the worker that runs it (a front end's trace: see
	// Config.OnStart). It observes the run and changes nothing of it.
	OnStart func(name string)
}

// Check validates the plan and returns it with its defaults filled in. It
// is the one place a run's settings are checked: OpenSession calls it,
// and a front end may call it first to report a bad setting before it
// does anything else. The error is a *UsageError naming the setting.
func (p Plan) Check() (Plan, error) {
	if p.Backend == nil {
		return p, &UsageError{Setting: "backend", Msg: "no backend"}
	}
	if p.Bases == nil {
		return p, &UsageError{Setting: "base", Msg: "no base trees (Plan.Bases)"}
	}
	if p.Depth < 1 || p.Depth > MaxDepth {
		return p, &UsageError{Setting: "depth", Msg: fmt.Sprintf("%d is out of range: 1 to %d", p.Depth, MaxDepth)}
	}
	if p.Timeout == 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Repeat == 0 {
		p.Repeat = 1
	}
	if p.Repeat < 1 {
		return p, &UsageError{Setting: "repeat", Msg: fmt.Sprintf("%d: must be at least 1", p.Repeat)}
	}
	if p.Workers == 0 {
		p.Workers = runtime.NumCPU()
	}
	if p.Workers < 1 {
		return p, &UsageError{Setting: "j", Msg: fmt.Sprintf("%d: must be at least 1", p.Workers)}
	}
	if p.Build == "" {
		p.Build = BuildMount
	}
	if err := checkLayout(p); err != nil { // session_layout.go
		return p, err
	}
	if err := checkIdmap(p); err != nil { // idmapped.go
		return p, err
	}
	return p, p.checkBuild()
}

// checkBuild checks the build mode against the backends that build.
func (p Plan) checkBuild() error {
	if p.BuildFrom != nil && p.BuildFrom != p.Backend && p.Build == BuildMount {
		return &UsageError{Setting: "build-backend", Msg: "only with --build extract (the layers are written in that backend's format)"}
	}
	if _, _, err := parseBuild(string(p.Build), p.buildFrom()); err != nil {
		return err
	}
	if p.BuildWith == nil {
		return nil
	}
	if p.Build != BuildMount {
		return &UsageError{Setting: "build-with", Msg: "only with --build mount (the layers are built through that backend's mounts)"}
	}
	return CheckBuildWith(p.Backend, p.BuildWith)
}

func (p Plan) buildFrom() backend.Backend {
	if p.BuildFrom != nil {
		return p.BuildFrom
	}
	return p.Backend
}

// config is the engine's Config of a checked plan, before the session
// adds its directories, bases and probed features.
func (p Plan) config() Config {
	build, format, _ := parseBuild(string(p.Build), p.buildFrom()) // checked by Check
	timeout := p.Timeout
	if timeout < 0 {
		timeout = 0 // NoTimeout: RunScenario sets no limit
	}
	return Config{
		Backend: p.Backend, Depth: p.Depth, Keep: p.Keep, Timeout: timeout, Repeat: p.Repeat,
		Build: build, Format: format, BuildWith: p.BuildWith,
		NoCommitCheck: p.NoCommitCheck, CommitDir: p.CommitDir, FullReference: p.FullReference, FullCompare: p.FullCompare,
		Layout: p.Layout, OnStart: p.OnStart, KernelLogOK: p.KernelLogOK,
	}
}
