package harness

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/scenario"
)

// RunScenario runs one expanded scenario instance through the pipeline of
// phases (runPhases, pipeline.go): prepare, build the layers through the
// backend, mount them with a fresh upper and apply the runtime ops,
// snapshot, unmount, the commit check, apply offline changes, remount,
// snapshot again, compare, rebuilt copies; the same ops go to the
// reference copy in lockstep. It never panics and leaves nothing mounted:
// every failure of the harness itself is an error verdict.
func RunScenario(ctx context.Context, cfg Config, s scenario.Scenario) (res Result) {
	start := time.Now()
	res = Result{Name: s.FullName(), Suite: s.Suite, Labels: s.Labels, Scenario: s}
	defer func() { res.Seconds = time.Since(start).Seconds() }()
	if s.Check != nil { // check.go: a scenario that is its own procedure
		runCheck(ctx, cfg, s, &res)
		return res
	}
	if why := cfg.SkipReason(s); why != "" {
		res.Verdict, res.Reason = Skip, why
		return res
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	r := &scenarioRun{cfg: cfg, s: s, ctx: ctx}
	defer startHealth().finish(r, &res) // health.go; runs after the teardown
	defer r.finish(&res)
	err := runPhases(r) // pipeline.go
	res.Findings, res.Ops = r.findings, r.ops
	if why, ok := asSkip(err); ok { // layouts.go: the layout cannot hold a layer
		res.Verdict, res.Reason = Skip, why
		return res
	}
	if err != nil && r.crashed(&res, err) { // crash.go
		return res
	}
	if err != nil {
		res.Verdict, res.Reason = Error, err.Error()
		if ctx.Err() != nil {
			// A hung backend: the watchdog aborted the mount (daemon).
			res.Reason = fmt.Sprintf("%v (time limit %s): %v", ctx.Err(), cfg.Timeout, err)
		}
		return res
	}
	markStanding(res.Findings, cfg.Standing[s.FixtureName()], s) // standing.go
	markFollowers(res.Findings, knownIssuesOf(cfg.Backend))      // knownfollow.go
	var missing []string
	res.Verdict, missing = verdict(res.Findings, s.Expect, r.applicable())
	if len(missing) > 0 {
		res.Reason = "documented deviation did not show: " + strings.Join(missing, ", ")
	}
	return res
}

// SkipReason says why s cannot run on cfg ("" if it can): the expansion
// could not place it, the backend lacks a feature it needs, or the
// backend's documentation leaves it undefined. RunScenario asks it before
// it runs anything; fuzz's batching (fuzz/batch.go) asks it of each
// generated scenario, so that one that would skip alone runs alone
// instead of inside a batch whose verdict would not be its own.
func (cfg Config) SkipReason(s scenario.Scenario) string {
	if s.Skip != "" {
		return s.Skip
	}
	if why := cfg.lacks(s); why != "" {
		return why
	}
	if why := cfg.timesSkip(s); why != "" { // times.go
		return why
	}
	if why := cfg.layoutSkip(s); why != "" {
		return why
	}
	if why := cfg.subjectClash(s); why != "" { // subject.go: a user's base
		return why
	}
	if why := cfg.idmapRawOwnerSkip(s); why != "" { // idmapped.go
		return why
	}
	if sk, ok := cfg.Backend.(backend.ScenarioSkipper); ok {
		return sk.SkipReason(s)
	}
	return ""
}

// finish recovers a panic of the run and tears it down, on every way out;
// a failure of either is the scenario's error.
func (r *scenarioRun) finish(res *Result) {
	if p := recover(); p != nil {
		res.Verdict, res.Reason = Error, fmt.Sprintf("harness panic: %v\n%s", p, debug.Stack())
	}
	if err := r.teardown(); err != nil {
		if res.Verdict != Error {
			res.Verdict, res.Reason = Error, err.Error()
		} else {
			res.Reason += "; teardown: " + err.Error()
		}
	}
	if r.cfg.Keep {
		res.Dir = r.dir
	}
}

// applicable lists the IDs of the deviations the backend documents under
// its options: a scenario written to show one that did not show is xpass.
func (r *scenarioRun) applicable() map[string]bool {
	if r.cfg.Extracting() && !r.viaBackend {
		// No op reached the backend (its layers were extracted): a
		// deviation of how it carries out ops could not show.
		return nil
	}
	out := map[string]bool{}
	for _, e := range r.cfg.Backend.Expectations() {
		out[e.ID] = true
	}
	return out
}
