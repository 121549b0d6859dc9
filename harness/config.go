package harness

import (
	"time"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Config is what a run needs beyond the scenarios.
type Config struct {
	Backend backend.Backend
	Depth   int                       // read-only layers under the upper, 1..500
	Scratch string                    // a directory on the filesystem to test on; scenarios get directories beneath it
	Bases   map[string]*scenario.Base // by fixture name
	Keep    bool                      // keep each scenario's directories
	Timeout time.Duration             // per scenario; 0 is none
	Repeat  int                       // runs of each scenario (repeat.go); 0 or 1 is one
	// Features maps each optional feature probed on the backend to "" (it
	// works) or why not; see Scenario.Requires.
	Features map[string]string
	// Build names how layers 1..depth-1 are built ("mount", "extract",
	// "extract-xattr"; see BuildMount, BuildExtract and SetBuild); Format
	// is the on-disk format the extract builder writes (nil: mount).
	Build  BuildMode
	Format backend.WhiteoutFormat
	// Standing holds, by fixture name, the findings of the target's null
	// scenario (Session.RunStanding): RunScenario marks the same findings of a
	// scenario standing and leaves them out of its verdict.
	Standing map[string][]snapshot.Finding
	// NoCommitCheck turns the commit check off (commitcheck.go); CommitDir,
	// if set, keeps the layer tars it writes. BuildWith, if set, builds the
	// read-only layers through that backend (buildwith.go).
	NoCommitCheck bool
	CommitDir     string
	BuildWith     backend.Backend
	// Layout is where layers, uppers and sealed lowers live (layouts.go;
	// "" is samefs); Storage is its prepared storage, nil for samefs,
	// beneath which Scratch lies.
	Layout  layout.Name
	Storage *layout.Storage
	// FullReference copies the whole base into every scenario's
	// reference, instead of what its ops can reach (reference.go): the
	// slow way, to check the fast one against.
	FullReference bool
	// OnStart, if set, is called with a scenario's name as Run starts it
	// (with the progress callback after it, a trace of what is running:
	// `layercheck vm` names the scenarios a guest kernel died in).
	OnStart func(name string)
	// KernelLogOK lets the scenarios run that make the kernel print on
	// purpose (Scenario.KernelLog); without it they skip, so that a run
	// writes nothing to the kernel log of the machine it runs on.
	KernelLogOK bool
	// FullCompare reads every entry of every merged view in full instead
	// of taking what no op can have reached from the base view
	// (baseview.go): the slow way, to check the fast one against.
	FullCompare bool
	// Idmap, if set, is the session's mapped view (--idmap,
	// idmapped.go); IdmapLayers says which layers go through it.
	Idmap       *idmap.View
	IdmapLayers idmap.Layers
	// idmapUnmapped and idmapRawReference break the mapping on purpose,
	// for the tests that show the check can fail (idmapped_test.go).
	idmapUnmapped, idmapRawReference bool
	// idmapByBackend: the backend maps owners itself (backend.IdMapper)
	// and takes the layers' raw directories.
	idmapByBackend bool
}
