package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/suites"
)

// runFlags are the flags of `layercheck run`.
type runFlags struct {
	backendFlags // --backend, --options, --unmount, --rootless (backend_flags.go)
	dimFlags     // --layout, --build, --build-backend, the commit flags (dim_flags.go)

	depth   int
	suite   string
	focus   string
	jobs    int
	json    string
	keep    bool
	verbose bool
	quiet   bool
	base    string
	scratch string
	onDisk  bool
	timeout time.Duration
	// reports and CI (report_outputs.go)
	junit       string
	reproDir    string
	shard       string
	rerunFailed string
	cpuProfile  string
	repeat      int // --repeat: runs of each scenario (crash.go)
	tap         string
	gateFlags                // --fail-on, --baseline (triage.go)
	gate        harness.Gate // what they ask for
	fullRef     bool         // --full-reference: harness.Config.FullReference
	fullCompare bool         // --full-compare: harness.Config.FullCompare
	kernelLogOK bool         // --kernel-log-ok: harness.Plan.KernelLogOK

	shardSpec shardSpec // parsed --shard
	selected  int       // scenarios selected before sharding
}

func parseRunFlags(args []string) (*runFlags, error) {
	f := &runFlags{}
	fs := flag.NewFlagSet("layercheck run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&f.depth, "depth", harness.DefaultDepth, "read-only layers under the upper (1 to 500)")
	f.backendFlags.register(fs, "overlay", true)
	fs.StringVar(&f.suite, "suite", "", "comma-separated suites to run (default all: "+strings.Join(suites.Names(), ",")+")")
	fs.StringVar(&f.focus, "focus", "", "run only scenarios whose name or labels match this regular expression")
	fs.IntVar(&f.jobs, "j", runtime.NumCPU(), "scenarios run in parallel (0: one per CPU)")
	fs.StringVar(&f.json, "json", "", "write the results as JSON to `FILE`")
	fs.BoolVar(&f.keep, "keep", false, "keep every scenario's layers, upper and reference (on disk, not tmpfs)")
	fs.BoolVar(&f.verbose, "v", false, "print every scenario's verdict and findings, expected ones too")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	fs.StringVar(&f.base, "base", "", "use this directory tree as the base layer instead of the rootfs fixture")
	fs.StringVar(&f.scratch, "scratch", sandbox.DefaultScratch, "where runs make their directories")
	fs.BoolVar(&f.onDisk, "on-disk", false, "run on the scratch directory's own filesystem instead of a fresh tmpfs")
	fs.DurationVar(&f.timeout, "timeout", harness.DefaultTimeout, "time limit of one scenario (0: none)")
	fs.StringVar(&f.junit, "junit", "", "write the results as JUnit XML to `FILE`")
	fs.StringVar(&f.reproDir, "repro-dir", "", "write a sh reproducer for every failing scenario, and an index, into `DIR`")
	fs.StringVar(&f.shard, "shard", "", "run only part `K/N` of the scenarios (a deterministic split; see `layercheck merge`)")
	fs.StringVar(&f.rerunFailed, "rerun-failed", "", "run only the scenarios that failed or errored in this JSON results `FILE`")
	fs.StringVar(&f.failOn, "fail-on", "", "also exit 1 on these, comma-separated: xpass (a documented deviation did not show), gone (with --baseline: a baseline deviation did not show), kernel-event (the kernel logged a problem no scenario reproduced)")
	fs.StringVar(&f.baseline, "baseline", "", "exit 1 only on deviations not in `FILE` (an earlier run's --json, or what 'layercheck baseline' writes)")
	fs.StringVar(&f.tap, "tap", "", "write the results as TAP version 13 to `FILE` (kselftest, KernelCI, LAVA)")
	fs.BoolVar(&f.fullRef, "full-reference", false, "copy the whole base into every scenario's reference instead of what its ops can reach (slower; to check the fast way against)")
	fs.BoolVar(&f.kernelLogOK, kernelLogOKFlag, false, "also run the checks that can only be done by making the kernel print a line (the modern suite's missing data-only object, copied layers refused, lowerdir=a::data:b): they write to this machine's kernel log, so they skip without it; layercheck vm sets it")
	fs.BoolVar(&f.fullCompare, "full-compare", false, "read, hash and probe every entry of every merged view instead of taking what no op can reach from the base's view (slower; to check the fast way against)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof)")
	fs.IntVar(&f.repeat, "repeat", 1, "run each scenario `N` times (0: once); a verdict that differs between runs is reported as flaky, with the counts")
	f.dimFlags.register(fs)
	if help, err := parseFlags(fs, args, "layercheck [run] [flags]"); help || err != nil {
		return nil, err
	}
	var err error
	if f.shardSpec, err = parseShard(f.shard); err != nil {
		return nil, err
	}
	if f.gate, err = f.gateFlags.gate(); err != nil {
		return nil, err
	}
	return f, nil
}

// selectScenarios is the run's selection (suites.Selection) at depth:
// --suite, --focus, --rerun-failed and --shard.
func selectScenarios(f *runFlags, depth int) ([]scenario.Scenario, error) {
	sel := suites.Selection{Focus: f.focus, Shard: f.shardSpec.takes}
	if f.suite != "" {
		sel.Suites = strings.Split(f.suite, ",")
	}
	if f.rerunFailed != "" {
		var err error
		if sel.Only, err = failedIn(f.rerunFailed, f.gate); err != nil {
			return nil, err
		}
		if len(sel.Only) == 0 {
			return nil, &harness.UsageError{Msg: fmt.Sprintf("--rerun-failed: nothing failed in %s", f.rerunFailed)}
		}
	}
	out, selected, err := sel.Select(depth)
	if err != nil {
		return nil, err
	}
	if selected == 0 {
		return nil, &harness.UsageError{Msg: "no scenario matches --suite/--focus/--rerun-failed at this depth"}
	}
	f.selected = selected
	return out, nil
}

// plan is the run the flags ask for (harness.Plan), checked.
func (f *runFlags) plan() (harness.Plan, error) {
	be, err := f.newBackend()
	if err != nil {
		return harness.Plan{}, err
	}
	timeout := f.timeout
	if timeout == 0 {
		timeout = harness.NoTimeout // --timeout 0: no limit
	}
	p := harness.Plan{
		Backend: be, Depth: f.depth,
		ScratchBase: f.scratch, OnDisk: f.onDisk, Keep: f.keep, Timeout: timeout,
		FullReference: f.fullRef, FullCompare: f.fullCompare, KernelLogOK: f.kernelLogOK, Repeat: f.repeat, Workers: f.jobs, Gate: f.gate, OnStart: traceStart(),
	}
	return f.dimFlags.checkedPlan(p, &f.backendFlags, f.base)
}

func cmdRun(args []string) (int, error) {
	f, err := parseRunFlags(args)
	if err != nil || f == nil {
		return exitOK, err
	}
	plan, err := f.plan()
	if err != nil {
		return 0, err
	}
	scenarios, err := selectScenarios(f, plan.Depth)
	if err != nil {
		return 0, err
	}
	if err := privateRun(); err != nil { // all mounts from here on live in a private mount namespace
		return 0, err
	}
	// Where --rerun-failed finds the results when no --json was asked for:
	// on the host, also for a rootless run (which stages it; crash.go).
	lastRun := filepath.Join(f.scratch, "last-run.json")
	if f.rootless {
		rootlessIdmap(plan.Idmap) // idmap_flags.go
		if err := sandbox.ReexecRootless(f.scratch, f.json, f.junit, lastRun, f.reproDir); err != nil {
			return 0, err
		}
		plan.ScratchBase = sandbox.RootlessScratch()
		f.json, f.junit = sandbox.RootlessOutput(f.json), sandbox.RootlessOutput(f.junit)
	}
	ctx, stop := interruptible()
	defer stop()
	stopProfile, err := startProfile(f.cpuProfile)
	if err != nil {
		return 0, err
	}
	defer stopProfile()
	start := time.Now()
	sess, err := harness.OpenSession(ctx, plan)
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	prog := newProgress(os.Stderr, f.quiet, f.gate)
	out := sess.Run(ctx, scenarios, traceDone(prog.update)) // vmtrace.go: in a `layercheck vm` guest
	prog.finish()
	return f.finish(ctx, sess, newReport(sess, plan.Backend, f, out.Results, time.Since(start)), out, lastRun)
}

// startProfile starts --cpuprofile's CPU profile, if asked for; stop ends
// it.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, &harness.UsageError{Msg: "--cpuprofile: " + err.Error()}
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); pf.Close() }, nil
}

// finish writes and prints the run's report and says its exit code.
func (f *runFlags) finish(ctx context.Context, sess *harness.Session, rep *report, out harness.Outcome, lastRun string) (int, error) {
	rep.KernelEvents = harness.KernelEvents(out.Unattributed)
	if f.reproDir != "" {
		if err := writeRepros(f.reproDir, sess.Config(), rep); err != nil {
			return 0, err
		}
	}
	rep.resultsFile = f.json
	if f.json == "" && rep.Summary.Failing > 0 {
		// Keep the results where --rerun-failed can find them.
		rep.resultsFile = lastRun
		if err := rep.writeJSON(sandbox.RootlessOutput(lastRun)); err != nil {
			rep.resultsFile = ""
		}
	}
	rep.print(os.Stdout, f.verbose)
	printHealth(os.Stdout, out.Results, rep.KernelEvents)
	if err := rep.writeFiles(f.json, f.junit); err != nil {
		return 0, err
	}
	if err := rep.writeTAP(f.tap); err != nil {
		return 0, err
	}
	return runExit(ctx, sess, rep, out.Results)
}

// runExit closes the session and says the run's exit code: cleanup
// trouble, an interruption, the gate, then a run that tested nothing.
func runExit(ctx context.Context, sess *harness.Session, rep *report, results []harness.Result) (int, error) {
	if cerr := sess.Close(); cerr != nil {
		fmt.Fprintln(os.Stderr, "layercheck: cleanup: "+cerr.Error())
		return exitFindings, nil
	}
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "layercheck: interrupted; everything mounted was unmounted")
		return 130, nil
	}
	if rep.judge().Fails {
		return exitFindings, nil
	}
	if why := nothingRan(results); why != "" { // nothingran.go
		fmt.Println(why)
		return exitNothingRan, nil
	}
	if most := mostlySkipped(results); most != "" {
		fmt.Println(most)
	}
	return exitOK, nil
}
