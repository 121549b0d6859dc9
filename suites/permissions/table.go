package permissions

import (
	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Scenarios are generated from small tables: a target path of each file
// type, an op, and the places the op goes. Every generated scenario has a
// name that says what it pins down, and labels for its op, its file type
// and its placement, so that `--focus` and Ginkgo label filters can pick
// any slice of the suite.

// target is a path of the rootfs fixture that stands for a file type.
type target struct {
	kind string // file, dir, symlink, fifo, hardlink: a label and a name part
	path string
}

// The targets, each from layer 0 of the rootfs fixture.
var (
	tFile     = target{"file", "etc/hostname"}            // root:root 0644
	tDir      = target{"dir", "etc/ssh"}                  // root:root 0755, two children
	tSymlink  = target{"symlink", "etc/os-release"}       // -> ../usr/lib/os-release
	tAbsLink  = target{"symlink", "etc/localtime"}        // -> /usr/share/zoneinfo/UTC
	tFifo     = target{"fifo", "run/initctl"}             // root:root 0600
	tHardlink = target{"hardlink", "usr/sbin/helper.old"} // one name of a triple, root:adm 0750
)

// Identities and placements, short.
var (
	owner  = fsop.By{As: fixtures.Owner}
	member = fsop.By{As: fixtures.Member}
	other  = fsop.By{As: fixtures.Other}
)

func umask(id fsop.By, bits uint32) fsop.By { id.Umask = fsop.Mask(bits); return id }

// Placement labels.
const (
	lLayer   = "in-layer"
	lRuntime = "runtime"
)

func labels(ls ...string) []string { return ls }

// everywhere returns s with ops placed in every position: in a layer
// (variable "a", which Expand places in every layer the depth allows) and
// in the runtime upper (name suffix "/runtime"). setup steps, if any, go
// in layer variables that come before "a" ("s", placed below it).
func everywhere(s scenario.Scenario, ops ...fsop.Op) []scenario.Scenario {
	inLayer := s
	inLayer.Steps = []scenario.Step{scenario.InLayer("a", ops...)}
	inLayer.Labels = append(append([]string{}, s.Labels...), lLayer)
	atRuntime := s
	atRuntime.Name += "/runtime"
	atRuntime.Steps = []scenario.Step{scenario.Runtime(ops...)}
	atRuntime.Labels = append(append([]string{}, s.Labels...), lRuntime)
	return []scenario.Scenario{inLayer, atRuntime}
}

// afterSetup returns s with setup in layer "a" and ops in every place
// above it: a later layer "b" (both placed over every pair of layers) and
// the runtime upper (name suffix "/runtime").
func afterSetup(s scenario.Scenario, setup []fsop.Op, ops ...fsop.Op) []scenario.Scenario {
	inLayer := s
	inLayer.Steps = []scenario.Step{scenario.InLayer("a", setup...), scenario.InLayer("b", ops...)}
	inLayer.Labels = append(append([]string{}, s.Labels...), lLayer)
	return append([]scenario.Scenario{inLayer}, setupThenRuntime(s, setup, ops...))
}

// setupThenRuntime returns s with setup in layer "a" (every position) and
// ops in the runtime upper, named "name/runtime/layer=k": for the ops whose
// point is what copy-up makes of a state a layer left, where a second
// layer adds nothing the runtime upper does not.
func setupThenRuntime(s scenario.Scenario, setup []fsop.Op, ops ...fsop.Op) scenario.Scenario {
	s.Name += "/runtime"
	s.Steps = []scenario.Step{scenario.InLayer("a", setup...), scenario.Runtime(ops...)}
	s.Labels = append(append([]string{}, s.Labels...), lRuntime)
	return s
}

func ops(o ...fsop.Op) []fsop.Op { return o }
