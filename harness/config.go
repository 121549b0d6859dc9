package harness

import (
	"time"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Config is what a run needs beyond the scenarios.
type Config struct {
	Backend backend.Backend
	Depth   int                       // read-only layers under the upper, 1..500
	Scratch string                    // a directory on the filesystem to test on; scenarios get directories beneath it
	Bases   map[string]*scenario.Base // by fixture name
	Keep    bool                      // keep each scenario's directories
	Timeout time.Duration             // per scenario; 0 is none
	// Features maps each optional feature probed on the backend to "" (it
	// works) or why not; see Scenario.Requires.
	Features map[string]string
	// Build names how layers 1..depth-1 are built ("mount", "extract",
	// "extract-xattr"; see BuildMount, BuildExtract and SetBuild); Format
	// is the on-disk format the extract builder writes (nil: mount).
	Build  BuildMode
	Format backend.WhiteoutFormat
	// FullReference copies the whole base into every scenario's
	// reference, instead of what its ops can reach (reference.go): the
	// slow way, to check the fast one against.
	FullReference bool
}
