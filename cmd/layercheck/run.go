package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend/registry"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/suites"
)

// runFlags are the flags of `layercheck run`.
type runFlags struct {
	backendFlags // --backend, --options, --unmount, --rootless (backend_flags.go)

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
	build   string // --build: how layers are built (harness.Config.SetBuild)
	buildBe string // --build-backend: whose on-disk format extract writes
	layout  string // --layout: the storage layout (layouts.go)
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

	commit    commitFlags // --commit-check, --commit-dir, --build-with (commit_flags.go)
	shardSpec shardSpec   // parsed --shard
	selected  int         // scenarios selected before sharding
}

func parseRunFlags(args []string) (*runFlags, error) {
	f := &runFlags{}
	fs := flag.NewFlagSet("layercheck run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&f.depth, "depth", 3, "read-only layers under the upper (1 to 500)")
	f.register(fs, "overlay", true)
	fs.StringVar(&f.suite, "suite", "", "comma-separated suites to run (default all: "+strings.Join(suites.Names(), ",")+")")
	fs.StringVar(&f.focus, "focus", "", "run only scenarios whose name or labels match this regular expression")
	fs.IntVar(&f.jobs, "j", runtime.NumCPU(), "scenarios run in parallel")
	fs.StringVar(&f.json, "json", "", "write the results as JSON to `FILE`")
	fs.BoolVar(&f.keep, "keep", false, "keep every scenario's layers, upper and reference (on disk, not tmpfs)")
	fs.BoolVar(&f.verbose, "v", false, "print every scenario's verdict and findings, expected ones too")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	fs.StringVar(&f.base, "base", "", "use this directory tree as the base layer instead of the rootfs fixture")
	fs.StringVar(&f.scratch, "scratch", sandbox.DefaultScratch, "where runs make their directories")
	fs.BoolVar(&f.onDisk, "on-disk", false, "run on the scratch directory's own filesystem instead of a fresh tmpfs")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "time limit of one scenario")
	fs.StringVar(&f.build, "build", string(harness.BuildMount), "how layers are built: mount (through the backend), extract (written directly in its on-disk format, as an image extractor does), extract-xattr (overlay's xattr whiteouts)")
	fs.StringVar(&f.buildBe, "build-backend", "", "with --build extract: write the layers in this backend's on-disk format (default: --backend's), to mount layers another engine wrote")
	fs.StringVar(&f.layout, "layout", "samefs", "where layers and uppers live: "+layoutNames()+" (see 'layercheck backends')")
	fs.StringVar(&f.junit, "junit", "", "write the results as JUnit XML to `FILE`")
	fs.StringVar(&f.reproDir, "repro-dir", "", "write a sh reproducer for every failing scenario, and an index, into `DIR`")
	fs.StringVar(&f.shard, "shard", "", "run only part `K/N` of the scenarios (a deterministic split; see `layercheck merge`)")
	fs.StringVar(&f.rerunFailed, "rerun-failed", "", "run only the scenarios that failed or errored in this JSON results `FILE`")
	fs.StringVar(&f.failOn, "fail-on", "", "also exit 1 on these, comma-separated: xpass (a documented deviation did not show), gone (with --baseline: a baseline deviation did not show)")
	fs.StringVar(&f.baseline, "baseline", "", "exit 1 only on deviations not in `FILE` (an earlier run's --json, or what 'layercheck baseline' writes)")
	fs.StringVar(&f.tap, "tap", "", "write the results as TAP version 13 to `FILE` (kselftest, KernelCI, LAVA)")
	fs.BoolVar(&f.fullRef, "full-reference", false, "copy the whole base into every scenario's reference instead of what its ops can reach (slower; to check the fast way against)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof)")
	fs.IntVar(&f.repeat, "repeat", 1, "run each scenario `N` times; a verdict that differs between runs is reported as flaky, with the counts")
	f.commit.register(fs)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(os.Stdout)
			fmt.Println("usage: layercheck [run] [flags]")
			fs.PrintDefaults()
			return nil, nil
		}
		return nil, &harness.UsageError{Msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, &harness.UsageError{Msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	var err error
	if f.shardSpec, err = parseShard(f.shard); err != nil {
		return nil, err
	}
	if f.gate, err = f.gateFlags.gate(); err != nil {
		return nil, err
	}
	if f.repeat < 1 {
		return nil, &harness.UsageError{Msg: fmt.Sprintf("--repeat %d: must be at least 1", f.repeat)}
	}
	if f.jobs < 1 {
		return nil, &harness.UsageError{Msg: fmt.Sprintf("-j %d: must be at least 1", f.jobs)}
	}
	return f, nil
}

// selectScenarios expands the chosen suites' scenarios at depth and keeps
// those that --focus matches.
func selectScenarios(f *runFlags) ([]scenario.Scenario, error) {
	all := suites.All()
	names := suites.Names()
	if f.suite != "" {
		names = nil
		for _, n := range strings.Split(f.suite, ",") {
			n = strings.TrimSpace(n)
			if _, ok := all[n]; !ok {
				return nil, &harness.UsageError{Msg: fmt.Sprintf("--suite: unknown suite %q (known: %s)", n, strings.Join(suites.Names(), ", "))}
			}
			names = append(names, n)
		}
	}
	var focus *regexp.Regexp
	if f.focus != "" {
		var err error
		if focus, err = regexp.Compile(f.focus); err != nil {
			return nil, &harness.UsageError{Msg: fmt.Sprintf("--focus: %v", err)}
		}
	}
	var rerun map[string]bool
	if f.rerunFailed != "" {
		var err error
		if rerun, err = failedIn(f.rerunFailed, f.gate); err != nil {
			return nil, err
		}
		if len(rerun) == 0 {
			return nil, &harness.UsageError{Msg: fmt.Sprintf("--rerun-failed: nothing failed in %s", f.rerunFailed)}
		}
	}
	var out []scenario.Scenario
	for _, n := range names {
		for _, s := range all[n] {
			for _, inst := range scenario.Expand(s, f.depth) {
				if focus != nil && !focus.MatchString(inst.FullName()) && !focus.MatchString(strings.Join(inst.Labels, " ")) {
					continue
				}
				if rerun != nil && !rerun[inst.FullName()] {
					continue
				}
				out = append(out, inst)
			}
		}
	}
	if len(out) == 0 {
		return nil, &harness.UsageError{Msg: "no scenario matches --suite/--focus/--rerun-failed at this depth"}
	}
	f.selected = len(out)
	var mine []scenario.Scenario
	for _, s := range out {
		if f.shardSpec.takes(s.FullName()) {
			mine = append(mine, s)
		}
	}
	return mine, nil
}

func cmdRun(args []string) (int, error) {
	f, err := parseRunFlags(args)
	if err != nil || f == nil {
		return exitOK, err
	}
	if f.depth < 1 || f.depth > harness.MaxDepth {
		return 0, &harness.UsageError{Msg: fmt.Sprintf("--depth %d: must be between 1 and %d", f.depth, harness.MaxDepth)}
	}
	backend, err := f.newBackend()
	if err != nil {
		return 0, err
	}
	buildFrom := backend
	if f.buildBe != "" && !strings.HasPrefix(f.build, string(harness.BuildExtract)) {
		return 0, &harness.UsageError{Msg: "--build-backend: only with --build extract (the layers are written in that backend's format)"}
	}
	if f.buildBe != "" {
		if buildFrom, err = registry.NewBackend(f.buildBe, ""); err != nil {
			return 0, err
		}
	}
	if err := (&harness.Config{Backend: backend}).SetBuildFrom(f.build, buildFrom); err != nil {
		return 0, err
	}
	buildWith, err := f.commit.buildWithBackend(backend, f.build)
	if err != nil {
		return 0, err
	}
	lay, err := parseLayout(f.layout, "--layout")
	if err != nil {
		return 0, err
	}
	scenarios, err := selectScenarios(f)
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
		if err := sandbox.ReexecRootless(f.scratch, f.json, f.junit, lastRun, f.reproDir); err != nil {
			return 0, err
		}
		f.scratch = sandbox.RootlessScratch()
		f.json, f.junit = sandbox.RootlessOutput(f.json), sandbox.RootlessOutput(f.junit)
	}

	ctx, stop := interruptible()
	defer stop()
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return 0, &harness.UsageError{Msg: "--cpuprofile: " + err.Error()}
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return 0, err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	sess, err := harness.OpenSession(ctx, harness.SessionOptions{
		Backend: backend, Depth: f.depth, ScratchBase: f.scratch, OnDisk: f.onDisk, Keep: f.keep,
		Timeout: f.timeout, Bases: fixtures.BasesFor(f.base, layout.MaxName(lay)), Layout: lay,
	})
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	if err := sess.Config.SetBuildFrom(f.build, buildFrom); err != nil {
		return 0, err
	}
	f.commit.apply(&sess.Config, buildWith)
	sess.Config.FullReference = f.fullRef

	sess.Config.Repeat = f.repeat
	prog := newProgress(os.Stderr, f.quiet, f.gate)
	results := harness.RunStanding(ctx, &sess.Config, scenarios) // reported first, once
	results = append(results, harness.Run(ctx, sess.Config, scenarios, f.jobs, prog.update)...)
	prog.finish()
	unattributed := harness.RecheckKernel(ctx, sess.Config, results) // crash.go prints what it leaves
	rep := newReport(sess, backend, f, results, time.Since(start))
	if f.reproDir != "" {
		if err := writeRepros(f.reproDir, sess.Config, rep); err != nil {
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
	printHealth(os.Stdout, results, unattributed)
	if err := rep.writeFiles(f.json, f.junit); err != nil {
		return 0, err
	}
	if err := rep.writeTAP(f.tap); err != nil {
		return 0, err
	}
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
	return exitOK, nil
}
