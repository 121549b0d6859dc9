package harness

import (
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// BatchLabel marks a scenario that is several scenarios at once, each
// confined to its own top-level directory of the base (its slot: fuzz's
// batches, fuzz/batch.go). The evidence an op's finding is explained by
// then names only the paths of that op's slot: an expectation that asks
// whether "the scenario" named a hardlinked path (Evidence.Named) must
// not be answered by another slot's ops. And what the ops can reach is
// worked out slot by slot (batchUnits): an op that can reach anywhere in
// its slot (through a symlink, on the slot's root) makes that slot one
// unit, not the whole batch.
const BatchLabel = "batch"

// isBatch reports whether s is a batch of slots.
func isBatch(s scenario.Scenario) bool { return slices.Contains(s.Labels, BatchLabel) }

// namedFor is named() as evidence about op: in a batch, the paths of op's
// slot only. The sets are made once per run (a batch's ops are many, and
// every finding explained asks) and handed out as copies.
func (r *scenarioRun) namedFor(op fsop.Op) map[string]bool {
	if op == nil || !isBatch(r.s) {
		return r.named()
	}
	if r.slotNamed == nil {
		r.slotNamed = map[string]map[string]bool{}
		for p := range r.named() {
			s := opSlotOf(p)
			if r.slotNamed[s] == nil {
				r.slotNamed[s] = map[string]bool{}
			}
			r.slotNamed[s][p] = true
		}
	}
	out := map[string]bool{}
	for p := range r.slotNamed[opSlot(op)] {
		out[p] = true
	}
	return out
}

// opSlot is the slot (the first path component) op acts in, "" if none.
func opSlot(op fsop.Op) string {
	ps := op.Paths()
	if len(ps) == 0 {
		return ""
	}
	return opSlotOf(ps[0])
}

// opSlotOf is the first component of p, a descriptor's name as a path.
func opSlotOf(p string) string {
	p = fsop.CleanRel(strings.TrimPrefix(p, "fd:"))
	first, _, _ := strings.Cut(p, "/")
	return first
}

// batchUnits is opUnits for a batch: each slot's ops are worked out as a
// scenario of their own, and a slot whose ops can reach beyond the paths
// they name (through a symlink, on the slot's root) is one unit whole.
// That is sound because a batch's ops never leave their slot: fuzz
// batches only ops whose paths lie beneath the slot and whose symlink
// targets are relative without "..", and the base's symlinks are each
// slot's copy of the fixture's, which stays in the fixture. False when an
// op lies on the batch's root.
func batchUnits(base *snapshot.Snapshot, s scenario.Scenario) ([]string, bool) {
	slots := map[string]*scenario.Scenario{}
	var order []string
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			sl := opSlot(op)
			if sl == "" || sl == "." {
				return nil, false
			}
			sub := slots[sl]
			if sub == nil {
				sub = &scenario.Scenario{}
				slots[sl] = sub
				order = append(order, sl)
			}
			sub.Steps = append(sub.Steps, scenario.Step{Phase: st.Phase, Layer: st.Layer, Ops: []fsop.Op{op}})
		}
	}
	var out []string
	for _, sl := range order {
		units, ok := singleUnits(base, *slots[sl])
		if ok && slices.ContainsFunc(units, func(u string) bool { return u != sl && !strings.HasPrefix(u, sl+"/") }) {
			return nil, false // a unit beyond its slot: no claim for the batch
		}
		if !ok || slices.Contains(units, sl) {
			units = []string{sl} // the slot whole
		}
		out = append(out, units...)
	}
	slices.Sort(out)
	return out, true
}
