package harness

import (
	"context"
	"maps"

	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// The protocol of a run, the same for every front end: the standing
// (null) scenario of each fixture first, reported once and left out of
// every other verdict; then the scenarios on the plan's workers, each run
// Plan.Repeat times; then the kernel recheck, which reruns alone each
// scenario a kernel line may belong to (RecheckKernel). Results are judged
// by the plan's Gate (Session.Gate).

// Outcome is what a session's run of a selection came to.
type Outcome struct {
	// Results are the standing entries, then the scenarios in the order
	// given.
	Results []Result
	// Unattributed are the kernel lines that no rerun brought back, to be
	// reported once for the run (RecheckKernel).
	Unattributed []string
}

// Progress is called after each scenario of a run, from one goroutine at
// a time: done of total, and the result.
type Progress func(done, total int, r Result)

// Run runs a selection through the whole protocol. progress may be nil.
func (s *Session) Run(ctx context.Context, scenarios []scenario.Scenario, progress Progress) Outcome {
	results := s.RunStanding(ctx, scenarios)
	cfg := s.Config()
	results = append(results, Run(ctx, cfg, scenarios, s.plan.Workers, progress)...)
	return Outcome{Results: results, Unattributed: RecheckKernel(ctx, cfg, results)}
}

// RunOne runs one scenario through the protocol (its fixture's standing
// scenario first, once per session; repeat; the kernel recheck), for a
// front end that runs scenarios one at a time (the Ginkgo specs). A
// standing entry (Suite StandingSuite) is the standing result itself.
func (s *Session) RunOne(ctx context.Context, sc scenario.Scenario) (Result, []string) {
	st := s.RunStanding(ctx, []scenario.Scenario{sc})
	if sc.Suite == StandingSuite {
		return st[0], nil
	}
	cfg := s.Config()
	res := []Result{runRepeated(ctx, cfg, func() Result { return RunScenario(ctx, cfg, sc) })}
	un := RecheckKernel(ctx, cfg, res)
	return res[0], un
}

// RunStanding runs, once per session, the null scenario of every fixture
// the scenarios use (Standing), records its findings for every later
// scenario of the session, and returns the standing entries of those
// fixtures, in the order the scenarios first use them.
func (s *Session) RunStanding(ctx context.Context, scenarios []scenario.Scenario) []Result {
	var out []Result
	seen := map[string]bool{}
	for _, sc := range scenarios {
		fx := sc.FixtureName()
		if seen[fx] {
			continue
		}
		seen[fx] = true
		out = append(out, s.standingOf(ctx, fx))
	}
	return out
}

// standingOf is the standing result of a fixture, run the first time.
func (s *Session) standingOf(ctx context.Context, fx string) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if res, ok := s.standing[fx]; ok {
		return res
	}
	res := Standing(ctx, s.cfg, fx)
	if s.cfg.Standing == nil {
		s.cfg.Standing = map[string][]snapshot.Finding{}
	}
	s.cfg.Standing[fx] = res.Findings
	s.standing[fx] = res
	return res
}

// Config is the engine's configuration of the session, a copy: what
// every scenario of the run reads (fsop-level code, fuzz and the bench
// run scenarios on it directly).
func (s *Session) Config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cfg
	c.Standing = maps.Clone(s.cfg.Standing)
	return c
}

// Plan is the session's plan, with its defaults filled in.
func (s *Session) Plan() Plan { return s.plan }

// Gate is the plan's policy of what fails.
func (s *Session) Gate() Gate { return s.plan.Gate }
