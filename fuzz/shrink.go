package fuzz

import (
	"reflect"

	h "github.com/layercheck/layercheck/harness"
)

// Candidate is a scenario and the depth it needs.
type Candidate struct {
	Scenario h.Scenario
	Depth    int
}

// NeededDepth is the smallest depth that holds every layer s names.
func NeededDepth(s h.Scenario) int {
	d := 1
	for _, st := range s.Steps {
		if st.Phase != h.PhaseRuntime && st.Layer != h.Upper && st.Layer+1 > d {
			d = st.Layer + 1
		}
	}
	return d
}

// Shrink makes c smaller while fails(candidate) holds, greedily and in a
// fixed order, until no change helps or budget runs are spent: drop whole
// steps, drop single ops, renumber the layers to 1..k (fewer, lower
// layers), merge each layer step into the one below, move a lone layer's
// ops to runtime, then simplify every op (root instead of another user,
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
	for progress := true; progress && runs < budget; {
		progress = false
		// Drop whole steps, then single ops.
		for i := 0; i < len(c.Scenario.Steps); i++ {
			if try(withSteps(c, dropStep(c.Scenario.Steps, i))) {
				progress = true
				i--
			}
		}
		for i := 0; i < len(c.Scenario.Steps); i++ {
			for j := 0; j < len(c.Scenario.Steps[i].Ops); j++ {
				steps := cloneSteps(c.Scenario.Steps)
				steps[i].Ops = append(steps[i].Ops[:j:j], steps[i].Ops[j+1:]...)
				if len(steps[i].Ops) == 0 {
					steps = dropStep(steps, i)
				}
				if try(withSteps(c, steps)) {
					progress = true
					j--
				}
			}
		}
		// Fewer, lower layers.
		if steps, changed := renumber(c.Scenario.Steps); changed && try(withSteps(c, steps)) {
			progress = true
		}
		for i := 1; i < len(c.Scenario.Steps); i++ {
			a, b := c.Scenario.Steps[i-1], c.Scenario.Steps[i]
			if a.Phase == h.PhaseLayer && b.Phase == h.PhaseLayer {
				steps := cloneSteps(c.Scenario.Steps)
				steps[i-1].Ops = append(append([]h.Op{}, a.Ops...), b.Ops...)
				if try(withSteps(c, dropStep(steps, i))) {
					progress = true
					i--
				}
			}
		}
		// Simpler ops.
		for i := range c.Scenario.Steps {
			for j := range c.Scenario.Steps[i].Ops {
				for _, simpler := range simplifications(c.Scenario.Steps[i].Ops[j]) {
					steps := cloneSteps(c.Scenario.Steps)
					steps[i].Ops[j] = simpler
					if try(withSteps(c, steps)) {
						progress = true
					}
				}
			}
		}
	}
	return c, runs
}

func withSteps(c Candidate, steps []h.Step) Candidate {
	c.Scenario.Steps = steps
	return c
}

func cloneSteps(steps []h.Step) []h.Step {
	out := make([]h.Step, len(steps))
	for i, st := range steps {
		st.Ops = append([]h.Op(nil), st.Ops...)
		out[i] = st
	}
	return out
}

func dropStep(steps []h.Step, i int) []h.Step {
	out := cloneSteps(steps)
	return append(out[:i:i], out[i+1:]...)
}

// renumber gives the layer steps the layers 1, 2, ... in order (offline
// steps on a renumbered layer follow it).
func renumber(steps []h.Step) ([]h.Step, bool) {
	out := cloneSteps(steps)
	to := map[int]int{0: 0}
	next := 1
	changed := false
	for i, st := range out {
		if st.Phase != h.PhaseLayer || st.Layer == 0 {
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
		if st.Phase == h.PhaseOffline && st.Layer != h.Upper {
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
func simplifications(op h.Op) []h.Op {
	simple := map[string]any{
		"As": h.Identity{}, "Umask": (*uint32)(nil), "Mode": uint32(0o755), "UID": 0, "GID": 0,
		"Data": "x", "Value": "x", "Flags": uint(0), "Size": int64(0),
	}
	var out []h.Op
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
		out = append(out, c.Interface().(h.Op))
	}
	return out
}
