package scenario

import (
	"fmt"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
)

// Phase says when a step's ops are applied.
type Phase int

const (
	// PhaseLayer ops build a read-only layer: layer 0 directly on the
	// fixture's copy, layer k >= 1 through a mount of layers 0..k-1 with
	// layer k as the upper, the way image builders commit a layer.
	PhaseLayer Phase = iota
	// PhaseRuntime ops go through the runtime mount: every layer as a
	// lower and a fresh upper, as a container runs.
	PhaseRuntime
	// PhaseOffline ops change a layer directly while nothing is mounted,
	// between the runtime mount and the remount.
	PhaseOffline
)

func (p Phase) String() string {
	return [...]string{"layer", "runtime", "offline"}[p]
}

// Step is a group of ops applied in one place.
type Step struct {
	Phase Phase
	// Layer is the layer of a PhaseLayer or PhaseOffline step; Upper (-1)
	// names the runtime upper in an offline step.
	Layer int
	// Var, when set, names a layer position that Expand chooses: the
	// scenario runs once for every placement the depth allows.
	Var string
	Ops []fsop.Op
}

// Upper is the Layer of an offline step on the runtime upper.
const Upper = -1

// InLayer places ops in the layer that variable v stands for ("a", "b", ...);
// variables take strictly increasing layers in order of first use.
func InLayer(v string, ops ...fsop.Op) Step { return Step{Phase: PhaseLayer, Var: v, Ops: ops} }

// AtLayer places ops in layer k (0 is the fixture's layer).
func AtLayer(k int, ops ...fsop.Op) Step { return Step{Phase: PhaseLayer, Layer: k, Ops: ops} }

// Runtime places ops in the runtime upper, through the merged view.
func Runtime(ops ...fsop.Op) Step { return Step{Phase: PhaseRuntime, Ops: ops} }

// OfflineAt applies ops directly to layer k (or Upper) after the runtime
// mount is taken down, before the remount.
func OfflineAt(k int, ops ...fsop.Op) Step { return Step{Phase: PhaseOffline, Layer: k, Ops: ops} }

// OfflineIn is OfflineAt on the layer that variable v stands for.
func OfflineIn(v string, ops ...fsop.Op) Step { return Step{Phase: PhaseOffline, Var: v, Ops: ops} }

// Scenario is data: a fixture, ops placed in layers, at runtime and
// offline, and what it pins down. The same value runs under Ginkgo and
// under the command line.
type Scenario struct {
	Name    string   // the behaviour or upstream bug it pins down
	Suite   string   // permissions, whiteout, rename, ...
	Doc     string   // one sentence: what must hold
	Fixture string   // a fixture name; "" is "rootfs"
	Steps   []Step   // in order
	Labels  []string // for --focus and Ginkgo label filters
	// Expect lists the IDs of documented deviations the scenario is
	// written to show; where such a deviation applies to the backend and
	// does not show, the verdict is xpass.
	Expect []string
	// Requires lists optional features of the backend the scenario needs
	// (FeatureRenameWhiteout, ...); where the session's probe found one
	// missing, the scenario is skip with the reason.
	Requires []string
	// Rebuild also checks the view after every layer and the upper are
	// copied to new directories and mounted from there (harness/phase_rebuilt.go).
	Rebuild bool
	// Skip, set by Expand, is why the scenario cannot run at this depth.
	Skip string
	// Times, when set, also compares timestamps (see TimesNoatime), under
	// this atime policy of the scenario's directories and mounts.
	Times string `json:",omitempty"`
	// Check, if set, is the scenario's own procedure (check.go), run
	// instead of the phases; such a scenario has no Steps.
	Check Check `json:"-"`
	// KernelLog lists substrings of the lines the scenario makes the
	// kernel print on purpose (printk: a pr_err of overlayfs for a mount
	// refused as documented, a missing data-only object): no finding, and
	// no suspect of a scenario beside it. Such a scenario writes to the
	// kernel log of the machine it runs on, so it runs only where the run
	// allows that (the harness's Config.KernelLogOK; `layercheck vm` does,
	// the guest's log being no host's) and is a skip elsewhere.
	KernelLog []string `json:",omitempty"`
}

// Atime policies of Scenario.Times. The layers built for the scenario get
// known times; mtime, atime and ctime are compared. With TimesNoatime
// (what every mount gets) no read moves an atime; TimesStrictatime is for
// the scenarios that test that reads do.
const (
	TimesNoatime     = "noatime"
	TimesStrictatime = "strictatime"
)

// FixtureName is the fixture the scenario starts from.
func (s Scenario) FixtureName() string {
	if s.Fixture == "" {
		return "rootfs"
	}
	return s.Fixture
}

// FullName is suite/name, the scenario's unique name in a run.
func (s Scenario) FullName() string { return s.Suite + "/" + s.Name }

// vars lists the layer variables in order of first use.
func (s Scenario) vars() []string {
	var vs []string
	seen := map[string]bool{}
	for _, st := range s.Steps {
		if st.Var != "" && !seen[st.Var] {
			seen[st.Var] = true
			vs = append(vs, st.Var)
		}
	}
	return vs
}

// Positions are the layers a variable may take at a depth: every built
// layer (1..depth-1) while there are at most six, else the bottom, the
// second, the middle, the second from the top and the top, so that the
// number of placements does not grow with the depth. Depth 1 has none:
// its one layer is the base itself, built by no mount, so an op placed
// "in a layer" would only change the base and test nothing of the stack
// (and a deviation declared for it could never show).
func Positions(depth int) []int {
	n := depth - 1
	if n < 1 {
		return nil
	}
	if n <= 6 {
		ps := make([]int, n)
		for i := range ps {
			ps[i] = i + 1
		}
		return ps
	}
	set := map[int]bool{1: true, 2: true, n / 2: true, n - 1: true, n: true}
	var ps []int
	for p := range set {
		ps = append(ps, p)
	}
	sort.Ints(ps)
	return ps
}

// Expand returns the runnable instances of s at depth: one per placement
// of its layer variables (strictly increasing layers), named
// "name/layer=2" or "name/layers=1,3". An instance that cannot be placed
// carries a Skip reason.
func Expand(s Scenario, depth int) []Scenario {
	vs := s.vars()
	if err := s.validate(depth); err != nil {
		s.Skip = err.Error()
		return []Scenario{s}
	}
	if len(vs) == 0 {
		return []Scenario{s}
	}
	combos := increasing(Positions(depth), len(vs))
	if len(combos) == 0 {
		s.Skip = fmt.Sprintf("places ops in %d built layers; depth %d has %d (layers above the base)", len(vs), depth, depth-1)
		return []Scenario{s}
	}
	out := make([]Scenario, 0, len(combos))
	for _, c := range combos {
		inst := s
		inst.Steps = make([]Step, len(s.Steps))
		val := map[string]int{}
		strs := make([]string, len(c))
		for i, v := range vs {
			val[v] = c[i]
			strs[i] = fmt.Sprint(c[i])
		}
		for i, st := range s.Steps {
			if st.Var != "" {
				st.Layer = val[st.Var]
				st.Var = ""
			}
			inst.Steps[i] = st
		}
		if len(vs) == 1 {
			inst.Name += "/layer=" + strs[0]
		} else {
			inst.Name += "/layers=" + strings.Join(strs, ",")
		}
		out = append(out, inst)
	}
	return out
}

// increasing lists every strictly increasing choice of k values of pos.
func increasing(pos []int, k int) [][]int {
	var out [][]int
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) == k {
			out = append(out, append([]int(nil), cur...))
			return
		}
		for i := start; i < len(pos); i++ {
			rec(i+1, append(cur, pos[i]))
		}
	}
	rec(0, nil)
	return out
}

// validate checks that the steps run in an order a stack can follow: layers
// bottom to top, then runtime, then offline, with fixed layers in range.
func (s Scenario) validate(depth int) error {
	last := PhaseLayer
	for _, st := range s.Steps {
		if st.Phase < last {
			return fmt.Errorf("scenario %s: a %s step after a %s step", s.Name, st.Phase, last)
		}
		last = st.Phase
		if st.Var == "" && st.Phase != PhaseRuntime && st.Layer >= depth {
			return fmt.Errorf("needs layer %d, depth %d has layers 0..%d", st.Layer, depth, depth-1)
		}
	}
	return nil
}

// CheckOrder is validate for an expanded scenario: layers must not go down.
func (s Scenario) CheckOrder() error {
	layer := 0
	for _, st := range s.Steps {
		if st.Phase == PhaseLayer {
			if st.Layer < layer {
				return fmt.Errorf("layer %d step after a layer %d step", st.Layer, layer)
			}
			layer = st.Layer
		}
	}
	return nil
}
