package fuzz

import (
	"reflect"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Candidate is a scenario and the depth it needs.
type Candidate struct {
	Scenario scenario.Scenario
	Depth    int
}

// NeededDepth is the smallest depth that holds every layer s names.
func NeededDepth(s scenario.Scenario) int {
	d := 1
	for _, st := range s.Steps {
		if st.Phase != scenario.PhaseRuntime && st.Layer != scenario.Upper && st.Layer+1 > d {
			d = st.Layer + 1
		}
	}
	return d
}

// Shrink makes c smaller while fails(candidate) holds, greedily and in a
// fixed order, until no change helps or budget runs are spent: drop whole
// steps, drop single ops (an Open with every op on its descriptor), renumber the layers to 1..k (fewer, lower
// layers), merge each layer step into the one below, move a lone layer's
// ops to runtime, turn checks down (no rebuild, no times), then simplify
// every op (root instead of another user,
// plain modes, ids, data, no renameat2 flags). fails must be deterministic
// for the result to be minimal; each call is one real run.
func Shrink(c Candidate, fails func(Candidate) bool, budget int) (Candidate, int) {
	runs := 0
	try := func(next Candidate) bool {
		if runs >= budget {
			return false
		}
		next.Depth = NeededDepth(next.Scenario)
		runs++
		if fails(next) {
			c = next
			return true
		}
		return false
	}
	cur := func() Candidate { return c }
	for progress := true; progress && runs < budget; {
		progress = dropParts(cur, try)
		progress = lowerLayers(cur, try) || progress
		progress = lighten(cur, try) || progress // fewer checks (shrink_checks.go)
		progress = simplerOps(cur, try) || progress
	}
	return c, runs
}

func withSteps(c Candidate, steps []scenario.Step) Candidate {
	c.Scenario.Steps = steps
	return c
}

func cloneSteps(steps []scenario.Step) []scenario.Step {
	out := make([]scenario.Step, len(steps))
	for i, st := range steps {
		st.Ops = append([]fsop.Op(nil), st.Ops...)
		out[i] = st
	}
	return out
}

func dropStep(steps []scenario.Step, i int) []scenario.Step {
	out := cloneSteps(steps)
	return append(out[:i:i], out[i+1:]...)
}

// renumber gives the layer steps the layers 1, 2, ... in order (offline
// steps on a renumbered layer follow it).
func renumber(steps []scenario.Step) ([]scenario.Step, bool) {
	out := cloneSteps(steps)
	to := map[int]int{0: 0}
	next := 1
	changed := false
	for i, st := range out {
		if st.Phase != scenario.PhaseLayer || st.Layer == 0 {
			continue
		}
		if _, ok := to[st.Layer]; !ok {
			to[st.Layer] = next
			next++
		}
		if out[i].Layer != to[st.Layer] {
			changed = true
		}
		out[i].Layer = to[st.Layer]
	}
	for i, st := range out {
		if st.Phase == scenario.PhaseOffline && st.Layer != scenario.Upper {
			if n, ok := to[st.Layer]; ok {
				out[i].Layer = n
			}
		}
	}
	return out, changed
}

// simplifications lists simpler versions of op, one field at a time:
// root instead of another identity, no umask, mode 0755, owner 0, data
// "x", no renameat2 flags, size 0.
func simplifications(op fsop.Op) []fsop.Op {
	simple := map[string]any{
		"As": fsop.Identity{}, "Umask": (*uint32)(nil), "Mode": uint32(0o755), "UID": 0, "GID": 0,
		"Data": "x", "Value": "x", "Flags": uint(0), "Size": int64(0),
	}
	var out []fsop.Op
	v := reflect.ValueOf(op)
	for _, name := range []string{"As", "Umask", "Flags", "Mode", "UID", "GID", "Data", "Value", "Size"} {
		f := v.FieldByName(name)
		if !f.IsValid() {
			continue
		}
		want := reflect.ValueOf(simple[name])
		if f.Type() != want.Type() || reflect.DeepEqual(f.Interface(), want.Interface()) {
			continue
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		c.FieldByName(name).Set(want)
		out = append(out, c.Interface().(fsop.Op))
	}
	return out
}

// The passes of Shrink: each tries candidates made from cur() (the
// smallest failing one so far, which try replaces when a candidate still
// fails) and says whether one was taken.

// dropParts drops whole steps, then single ops.
func dropParts(cur func() Candidate, try func(Candidate) bool) bool {
	progress := false
	for i := 0; i < len(cur().Scenario.Steps); i++ {
		if try(withSteps(cur(), dropStep(cur().Scenario.Steps, i))) {
			progress = true
			i--
		}
	}
	for i := 0; i < len(cur().Scenario.Steps); i++ {
		for j := 0; j < len(cur().Scenario.Steps[i].Ops); j++ {
			steps := dropOp(cur().Scenario.Steps, i, j) // shrink_fd.go: an Open takes its ops along
			if try(withSteps(cur(), steps)) {
				progress = true
				j--
			}
		}
	}
	return progress
}

// lowerLayers renumbers the layers down and merges neighbouring layer
// steps: fewer, lower layers.
func lowerLayers(cur func() Candidate, try func(Candidate) bool) bool {
	progress := false
	if steps, changed := renumber(cur().Scenario.Steps); changed && try(withSteps(cur(), steps)) {
		progress = true
	}
	for i := 1; i < len(cur().Scenario.Steps); i++ {
		a, b := cur().Scenario.Steps[i-1], cur().Scenario.Steps[i]
		if a.Phase == scenario.PhaseLayer && b.Phase == scenario.PhaseLayer {
			steps := cloneSteps(cur().Scenario.Steps)
			steps[i-1].Ops = append(append([]fsop.Op{}, a.Ops...), b.Ops...)
			if try(withSteps(cur(), dropStep(steps, i))) {
				progress = true
				i--
			}
		}
	}
	return progress
}

// simplerOps replaces each op by its simplifications.
func simplerOps(cur func() Candidate, try func(Candidate) bool) bool {
	progress := false
	for i := range cur().Scenario.Steps {
		for j := range cur().Scenario.Steps[i].Ops {
			for _, simpler := range simplifications(cur().Scenario.Steps[i].Ops[j]) {
				steps := cloneSteps(cur().Scenario.Steps)
				steps[i].Ops[j] = simpler
				if try(withSteps(cur(), steps)) {
					progress = true
				}
			}
		}
	}
	return progress
}
