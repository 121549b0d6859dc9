package harness

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// OpRecord is one op as it was applied, with both outcomes.
type OpRecord struct {
	Stage     string       `json:"phase"` // "layer 2", "runtime", "offline layer 1"
	Op        string       `json:"op"`
	As        string       `json:"as,omitempty"`
	Merged    fsop.Outcome `json:"merged"`
	Reference fsop.Outcome `json:"reference"`
}

// Result is what one scenario instance came to.
type Result struct {
	Name     string             `json:"name"`
	Suite    string             `json:"suite"`
	Verdict  Verdict            `json:"verdict"`
	Reason   string             `json:"reason,omitempty"`
	Seconds  float64            `json:"seconds"`
	Findings []snapshot.Finding `json:"findings"`
	Ops      []OpRecord         `json:"ops,omitempty"`
	Repro    string             `json:"repro,omitempty"`
	Dir      string             `json:"dir,omitempty"` // kept scratch (--keep)
	Labels   []string           `json:"labels,omitempty"`
	// KernelSuspects are problem lines the kernel logged while the
	// scenario ran that name nothing of it (health.go): RecheckKernel reruns it
	// alone to see whether they come again.
	KernelSuspects []string `json:"kernel_suspects,omitempty"`
	// KernelProvoked are the lines a check provoked on purpose and
	// declared (scenario.Scenario.KernelLog, run with --kernel-log-ok; check.go): no suspect
	// of any scenario that ran beside it (RecheckKernel).
	KernelProvoked []string `json:"-"`
	// Repeats counts the verdicts of a scenario run several times
	// (Config.Repeat; repeat.go); nil when it ran once.
	Repeats *Repeats `json:"repeats,omitempty"`
	// Scenario is the instance that ran, for reproducers.
	Scenario scenario.Scenario `json:"-"`
}

// Unexpected lists the findings no documented deviation explains and the
// target's null scenario does not show (standing ones are not this
// scenario's).
func (r Result) Unexpected() []snapshot.Finding {
	var out []snapshot.Finding
	for _, f := range r.Findings {
		if !f.Expected() && !f.Standing {
			out = append(out, f)
		}
	}
	return out
}
