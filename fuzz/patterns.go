package fuzz

import (
	"math/rand/v2"
	"path"
	"sort"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Patterns are the shapes of scenario that found real bugs in the suites,
// which uniform random ops reach too rarely: a descriptor held across a
// copy-up made through another name or descriptor; reads, listings,
// metadata changes, renames and copy-ups of timed entries; a hardlink
// group spread over layers, touched through each name; a directory merged
// from several layers, renamed. A pattern adds ops to layers and to the
// front of the runtime step (so that they act on a stack the random ops
// have not yet disturbed). Each is drawn from a stream of its own (the
// seed and the index, salted): about one scenario in ten gets each.

// patternSalt separates the pattern stream from the scenario's own.
const patternSalt = 0x7061 // "pa"

// Pattern names, as they show in the coverage.
const (
	PatternHeldFD     = "held-fd"
	PatternTimes      = "times"
	PatternHardlinks  = "hardlinks"
	PatternRenamedDir = "renamed-dir"
)

// patternNames are the patterns in the order the stream draws them.
var patternNames = []string{PatternHeldFD, PatternTimes, PatternHardlinks, PatternRenamedDir}

// patGen is the state of one pattern's generation.
type patGen struct {
	r       *rand.Rand
	depth   int
	base    model
	layers  map[int][]fsop.Op // ops to add to layer k
	runtime []fsop.Op
	times   string // the pattern needs this atime policy
}

// pattern returns the pattern of scenario i ("" for none) and its ops.
func (g *Generator) pattern(i int) (string, *patGen) {
	r := rand.New(rand.NewPCG(g.Seed^patternSalt, uint64(i)))
	if r.IntN(10) >= 4 {
		return "", nil
	}
	name := patternNames[r.IntN(len(patternNames))]
	p := &patGen{r: r, depth: g.Depth, base: model(g.Base), layers: map[int][]fsop.Op{}}
	switch name {
	case PatternHeldFD:
		p.heldFD()
	case PatternTimes:
		p.timed()
	case PatternHardlinks:
		p.hardlinks()
	case PatternRenamedDir:
		p.renamedDir()
	}
	return name, p
}

// apply adds the pattern's ops to sc: layer ops into the step of their
// layer (a new one, in order, if the scenario has none), runtime ops at
// the front of the runtime step.
func (p *patGen) apply(sc *scenario.Scenario) {
	ks := make([]int, 0, len(p.layers))
	for k := range p.layers {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	for _, k := range ks {
		sc.Steps = addToLayer(sc.Steps, k, p.layers[k])
	}
	for i, st := range sc.Steps {
		if st.Phase == scenario.PhaseRuntime {
			sc.Steps[i].Ops = append(append([]fsop.Op{}, p.runtime...), st.Ops...)
			break
		}
	}
	if p.times != "" && (sc.Times == "" || p.times == scenario.TimesStrictatime) {
		sc.Times = p.times
	}
}

// addToLayer appends ops to layer k's step, making one where the layer
// steps (ascending, before every other step) place it.
func addToLayer(steps []scenario.Step, k int, ops []fsop.Op) []scenario.Step {
	at := 0
	for i, st := range steps {
		if st.Phase != scenario.PhaseLayer {
			break
		}
		if st.Layer == k {
			steps[i].Ops = append(append([]fsop.Op{}, st.Ops...), ops...)
			return steps
		}
		if st.Layer < k {
			at = i + 1
		}
	}
	out := append([]scenario.Step{}, steps[:at]...)
	out = append(out, scenario.AtLayer(k, ops...))
	return append(out, steps[at:]...)
}

// lowLayer is a layer below the runtime to put a pattern's lower entries
// in: one of the built layers, or layer 0 (the base) at depth 1.
func (p *patGen) lowLayer() int {
	if p.depth < 2 {
		return 0
	}
	return 1 + p.r.IntN(p.depth-1)
}

// twoLayers are two layers, the first not above the second.
func (p *patGen) twoLayers() (int, int) {
	a, b := p.lowLayer(), p.lowLayer()
	if a > b {
		a, b = b, a
	}
	return a, b
}

// baseOf picks a path of the base of type t (sorted, so seeded).
func (p *patGen) baseOf(t string) string {
	ps := p.base.paths(t)
	if len(ps) == 0 {
		return ""
	}
	return ps[p.r.IntN(len(ps))]
}

// lowerFile is a file the runtime finds in a lower layer: one of the base,
// or one a layer writes (in a directory of the base, or at the top).
func (p *patGen) lowerFile(name string) string {
	if f := p.baseOf("file"); f != "" && p.r.IntN(2) == 0 {
		return f
	}
	dir := p.baseOf("dir")
	if dir == "" || p.r.IntN(3) == 0 {
		dir = "."
	}
	f := path.Join(dir, name)
	k := p.lowLayer()
	p.layers[k] = append(p.layers[k], fsop.WriteFile{Path: f, Data: "lower data of " + name + "\n", Mode: 0o644})
	return f
}

// readable and writable say what an open's access mode allows.
func readable(flags int) bool { return flags&unix.O_ACCMODE != unix.O_WRONLY }
func writable(flags int) bool { return flags&unix.O_ACCMODE != unix.O_RDONLY }
