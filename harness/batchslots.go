package harness

import (
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
)

// BatchLabel marks a scenario that is several scenarios at once, each
// confined to its own top-level directory of the base (its slot: fuzz's
// batches, fuzz/batch.go). The evidence an op's finding is explained by
// then names only the paths of that op's slot: an expectation that asks
// whether "the scenario" named a hardlinked path (Evidence.Named) must
// not be answered by another slot's ops.
const BatchLabel = "batch"

// namedFor is named() as evidence about op: in a batch, the paths of op's
// slot only.
func (r *scenarioRun) namedFor(op fsop.Op) map[string]bool {
	named := r.named()
	if op == nil || !slices.Contains(r.s.Labels, BatchLabel) {
		return named
	}
	slot := opSlot(op)
	for p := range named {
		if opSlotOf(p) != slot {
			delete(named, p)
		}
	}
	return named
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
