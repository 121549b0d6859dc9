package fuzz

import (
	"math/rand/v2"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Checks. A fuzz scenario runs through harness.RunScenario like a suite's,
// so it gets every check the engine makes of a scenario: the comparison,
// the invariants, the inode identity checks with the backend's table, the
// access probes, and the commit check. What a scenario must carry to turn
// a check on, the generator gives it here: Scenario.Times (the base and
// each layer then get known times, and times are compared, with the
// backend's documented exceptions) on every scenario with a utimens op
// or the times pattern (patterns.go) and on one in three of the others,
// strictatime on a quarter of those; Scenario.Rebuild (the layers copied
// and mounted again) on one in ten. A timed scenario has no commit check
// (the engine's rule: reading the layers for the tar would move the
// atimes it compares), so the untimed ones keep it. Drawn from a stream of
// its own, so the ops are the ones the seed made without it.

// checksSalt separates the checks' stream from the scenario's own.
const checksSalt = 0x6368 // "ch"

// checks sets what turns the checks on in sc and drops the ops the
// backend cannot run at all (Generator.Runnable).
func (g *Generator) checks(i int, sc *scenario.Scenario, cov map[string]int) {
	r := rand.New(rand.NewPCG(g.Seed^checksSalt, uint64(i)))
	timed, rebuild, strict := r.IntN(3) == 0, r.IntN(10) == 0, r.IntN(4) == 0
	if sc.Times == "" && (timed || hasTimeOp(*sc)) {
		sc.Times = scenario.TimesNoatime
		if strict {
			sc.Times = scenario.TimesStrictatime
		}
	}
	if g.NoTimes {
		sc.Times = ""
	}
	sc.Rebuild = rebuild
	if g.Runnable != nil {
		sc.Steps = runnableSteps(sc.Steps, g.Runnable)
	}
	if sc.Times != "" {
		cov["check times "+sc.Times]++
	} else {
		cov["check commit"]++
	}
	if sc.Rebuild {
		cov["check rebuild"]++
	}
}

// hasTimeOp reports whether an op of s sets times explicitly.
func hasTimeOp(s scenario.Scenario) bool {
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			if _, ok := op.(fsop.Utimens); ok {
				return true
			}
		}
	}
	return false
}

// runnableSteps leaves out the ops ok refuses (a step left empty goes).
func runnableSteps(steps []scenario.Step, ok func(fsop.Op) bool) []scenario.Step {
	var out []scenario.Step
	for _, st := range steps {
		var ops []fsop.Op
		for _, op := range st.Ops {
			if ok(op) {
				ops = append(ops, op)
			}
		}
		if len(ops) > 0 {
			st.Ops = ops
			out = append(out, st)
		}
	}
	return out
}
