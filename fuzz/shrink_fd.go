package fuzz

import (
	"reflect"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// dropOp removes op j of step i; when that op opens a named descriptor
// (Open, OpenTmpfile, or Exec that holds its program), it also removes the
// later ops of the step on that name, its Close among them, up to the
// next op that opens the name again: an op on a descriptor needs its Open
// (without it, it only tests EBADF), and a Close belongs to its Open.
// Descriptors live for one phase, so later steps are left alone.
func dropOp(steps []scenario.Step, i, j int) []scenario.Step {
	out := cloneSteps(steps)
	ops := out[i].Ops
	name := opens(ops[j])
	kept := append([]fsop.Op{}, ops[:j]...)
	for k := j + 1; k < len(ops); k++ {
		if name != "" && opens(ops[k]) == name {
			kept = append(kept, ops[k:]...)
			break
		}
		if name != "" && usesFD(ops[k]) == name {
			continue
		}
		kept = append(kept, ops[k])
	}
	out[i].Ops = kept
	if len(kept) == 0 {
		return append(out[:i:i], out[i+1:]...)
	}
	return out
}

// opens is the descriptor name op opens, or "".
func opens(op fsop.Op) string {
	switch o := op.(type) {
	case fsop.Open:
		return o.FD
	case fsop.OpenTmpfile:
		return o.FD
	case fsop.Exec:
		return o.Hold
	}
	return ""
}

// usesFD is the descriptor name op acts on (its FD field), or "".
func usesFD(op fsop.Op) string {
	if _, ok := op.(fsop.FDOp); !ok || opens(op) != "" {
		return ""
	}
	f := reflect.ValueOf(op).FieldByName("FD")
	if !f.IsValid() || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}
