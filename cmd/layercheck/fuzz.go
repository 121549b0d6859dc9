package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/frontend/repro"
	"github.com/layercheck/layercheck/fuzz"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// scenarioFile is a failing scenario as fuzz writes it and replay reads it.
type scenarioFile struct {
	Version   int                `json:"version"`
	Backend   string             `json:"backend"`
	Options   string             `json:"options"`
	Unmount   string             `json:"unmount,omitempty"` // an exec: backend's --unmount
	Depth     int                `json:"depth"`
	dims                         // layout, build mode, commit check (dim_flags.go)
	Signature string             `json:"signature,omitempty"`
	Scenario  scenario.Scenario  `json:"scenario"`
	Findings  []snapshot.Finding `json:"findings,omitempty"`
}

func cmdFuzz(args []string) (int, error) {
	f, err := parseFuzzFlags(args)
	if err != nil {
		return 0, err
	}
	be, err := f.bf.newBackend()
	if err != nil {
		return 0, err
	}
	gate, err := f.gf.gate()
	if err != nil {
		return 0, err
	}
	plan, err := f.df.checkedPlan(harness.Plan{Backend: be, Depth: f.depth, ScratchBase: f.scratch, Workers: f.jobs, FullCompare: f.fullCompare}, &f.bf, "")
	if err != nil {
		return 0, err
	}
	if err := privateRun(); err != nil {
		return 0, err
	}
	stopProfile, err := startProfile(f.cpuProfile) // run.go
	if err != nil {
		return 0, err
	}
	defer stopProfile()
	ctx, stop := interruptible()
	defer stop()
	sess, err := harness.OpenSession(ctx, plan)
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	offline := offlineAllowed(be)
	fmt.Printf("layercheck fuzz: %s (options %q), depth %d, fixture %s, seed %d%s\n", be.Name(), be.Options(), plan.Depth, f.fixture, f.seed, dimsLine(withIdmap(f.df.record(), plan.Idmap), f.gf.baseline))
	rep := fuzz.Run(ctx, fuzz.Options{Session: sess, Seed: f.seed, Count: f.count, Duration: f.duration, Workers: f.jobs,
		Fixture: f.fixture, Offline: offline, ShrinkBudget: f.budget, Gate: gate, Batch: f.batch, Progress: f.progress()})
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "layercheck: interrupted; everything mounted was unmounted")
		return 130, nil
	}
	outcomes, err := writeFuzzOutputs(f.out, sess.Config(), f.bf.unmount, withIdmap(f.df.record(), plan.Idmap), rep, f.verify)
	if err != nil {
		return 0, err
	}
	printFuzz(os.Stdout, rep, outcomes, f.jobs)
	if f.jsonOut != "" {
		b, _ := json.MarshalIndent(fuzzJSON(rep, outcomes), "", "  ")
		if err := os.WriteFile(f.jsonOut, append(b, '\n'), 0o644); err != nil {
			return 0, err
		}
	}
	if len(rep.Failures) > 0 || len(gate.Judge(rep.Standing).Failing) > 0 {
		return exitFindings, nil
	}
	return exitOK, nil
}

// progress prints a line of the counts every 2 seconds, unless --quiet.
func (f *fuzzFlags) progress() func(done, failing int, rate float64) {
	last := time.Time{}
	return func(done, failing int, rate float64) {
		if !f.quiet && time.Since(last) > 2*time.Second {
			fmt.Fprintf(os.Stderr, "[%d] %d distinct failures, %.0f scenarios/s\n", done, failing, rate)
			last = time.Now()
		}
	}
}

// defaultBatch is --batch when not given: the batch size measured
// fastest on the mini fixture (README, "Random scenarios").
const defaultBatch = 16

// fuzzFlags are the flags of `layercheck fuzz`.
type fuzzFlags struct {
	depth, count, jobs, budget int
	batch                      int
	duration                   time.Duration
	seed                       uint64
	out, fixture, scratch      string
	jsonOut, cpuProfile        string
	quiet, verify, fullCompare bool
	bf                         backendFlags
	df                         dimFlags
	gf                         gateFlags
}

// parseFuzzFlags reads and checks the flags of `layercheck fuzz`.
func parseFuzzFlags(args []string) (*fuzzFlags, error) {
	f := &fuzzFlags{}
	fs := flag.NewFlagSet("layercheck fuzz", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&f.depth, "depth", harness.DefaultDepth, "read-only layers under the upper (1 to 500)")
	f.bf.register(fs, "overlay", false) // fuzz writes its findings on the host: no --rootless
	fs.IntVar(&f.count, "count", 0, "scenarios to run (default 500 unless --duration is given)")
	fs.DurationVar(&f.duration, "duration", 0, "run for this long instead of a count")
	fs.Uint64Var(&f.seed, "seed", 0, "random seed (default: from the clock, printed)")
	fs.IntVar(&f.jobs, "j", runtime.NumCPU(), "scenarios in parallel")
	fs.StringVar(&f.out, "out", "fuzz-out", "where to write each distinct failure's scenario.json and repro.sh")
	fs.IntVar(&f.batch, "batch", defaultBatch, "most scenarios run in one stack, each in its own subtree (1: each alone); a failure is confirmed alone")
	fs.IntVar(&f.budget, "shrink-budget", 300, "most runs spent shrinking one failure")
	fs.StringVar(&f.fixture, "fixture", "mini", "the base tree: "+strings.Join(fixtures.Names(), ", "))
	fs.StringVar(&f.scratch, "scratch", sandbox.DefaultScratch, "where runs make their directories")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	fs.BoolVar(&f.verify, "verify", true, "run every reproducer with sh and say whether it reproduces")
	fs.StringVar(&f.jsonOut, "json", "", "write the fuzz report as JSON to `FILE`")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof)")
	f.df.register(fs) // dim_flags.go: --layout, --build, --build-backend, --commit-check, --build-with
	fs.StringVar(&f.gf.baseline, "baseline", "", "file only deviations not in `FILE` (an earlier run's --json, or what 'layercheck baseline' writes), and shrink each")
	fs.BoolVar(&f.fullCompare, "full-compare", false, "read every entry of every merged view in full (slower; to check the fast way against)")
	if help, err := parseFlags(fs, args, "layercheck fuzz [flags]"); err != nil {
		return nil, err
	} else if help {
		return nil, errHelpShown
	}
	if f.count < 0 || f.duration < 0 || f.jobs < 1 || f.budget < 0 || f.batch < 1 {
		return nil, &harness.UsageError{Msg: "--count, --duration, -j and --shrink-budget must not be negative (-j and --batch at least 1)"}
	}
	if f.count == 0 && f.duration == 0 {
		f.count = 500
	}
	if _, err := fixtures.Get(f.fixture); err != nil {
		return nil, err
	}
	if !isSet(fs, "seed") {
		f.seed = uint64(time.Now().UnixNano())
	}
	return f, nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// fuzzOutcome is what writeFuzzOutputs learned of one failure.
type fuzzOutcome struct {
	Dir        string
	Reproduces string // "yes", "no", or why it was not tried
}

// fuzzOutcomes maps each distinct failure to what writeFuzzOutputs did.
type fuzzOutcomes map[*fuzz.Failure]fuzzOutcome

// writeFuzzOutputs writes dir/N/scenario.json and dir/N/repro.sh for each
// distinct failure, and runs each reproducer once with sh if verify.
func writeFuzzOutputs(dir string, cfg harness.Config, unmount string, d dims, rep *fuzz.Report, verify bool) (fuzzOutcomes, error) {
	outcomes := fuzzOutcomes{}
	if len(rep.Failures) == 0 {
		return outcomes, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &harness.UsageError{Msg: fmt.Sprintf("--out: %v", err)}
	}
	for i, f := range rep.Failures {
		fdir := filepath.Join(dir, fmt.Sprintf("%d", i+1))
		if err := os.MkdirAll(fdir, 0o755); err != nil {
			return nil, err
		}
		sf := scenarioFile{Version: 1, Backend: cfg.Backend.Name(), Options: cfg.Backend.Options(), Unmount: unmount, Depth: f.Depth, dims: d,
			Signature: f.Signature, Scenario: f.Minimal.Scenario, Findings: f.Minimal.Findings}
		b, err := json.MarshalIndent(sf, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(fdir, "scenario.json"), append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
		oc := fuzzOutcome{Dir: fdir, Reproduces: "not tried"}
		c := cfg
		c.Depth = f.Depth
		script, err := repro.Repro(c, f.Minimal)
		if err != nil {
			oc.Reproduces = "no reproducer: " + err.Error()
		} else {
			rp := filepath.Join(fdir, "repro.sh")
			if err := os.WriteFile(rp, []byte(script), 0o755); err != nil {
				return nil, err
			}
			if verify {
				err := exec.Command("sh", rp).Run()
				ee, ok := err.(*exec.ExitError)
				switch {
				case ok && ee.ExitCode() == 1:
					oc.Reproduces = "yes"
				case err == nil:
					oc.Reproduces = "no (sh exited 0)"
				default:
					oc.Reproduces = fmt.Sprintf("no (%v)", err)
				}
			}
		}
		outcomes[f] = oc
	}
	return outcomes, nil
}

func printFuzz(w io.Writer, rep *fuzz.Report, outcomes fuzzOutcomes, jobs int) {
	var vs []string
	for v, n := range rep.Verdicts {
		vs = append(vs, fmt.Sprintf("%s %d", v, n))
	}
	sort.Strings(vs)
	fmt.Fprintf(w, "%d scenarios in %.1fs: %.1f scenarios/s with %d workers (verdicts: %s); shrinking took %.1fs\n",
		rep.Scenarios, rep.Seconds, rep.Rate(), jobs, strings.Join(vs, ", "), rep.ShrinkSeconds)
	if n := rep.Batched.Load(); n > 0 || rep.BatchOff != "" {
		fmt.Fprintf(w, "%d of them from batches", n)
		if rep.BatchOff != "" {
			fmt.Fprintf(w, " (batching off: %s)", rep.BatchOff)
		}
		fmt.Fprintln(w)
	}
	for _, st := range rep.Standing {
		fmt.Fprintf(w, "%s: %s, %d findings the stack shows with no op (not filed below):\n", st.Name, verdictWord(harness.Gate{}, st), len(st.Findings))
		for _, f := range st.Findings {
			fmt.Fprintf(w, "    %s\n", f)
		}
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "ERROR %s: %s\n", e.Name, firstLine(e.Reason))
	}
	if len(rep.Failures) == 0 {
		fmt.Fprintln(w, "No unexpected failure.")
	} else {
		fmt.Fprintf(w, "%d distinct failures:\n", len(rep.Failures))
	}
	for i, f := range rep.Failures {
		known := ""
		if f.Known != "" {
			known = " (known issue " + f.Known + ")"
		}
		if f.Ops == 0 {
			known += fmt.Sprintf(" (with no op: what the stack shows under this scenario's checks, times %q, rebuild %v)", f.Minimal.Scenario.Times, f.Minimal.Scenario.Rebuild)
		}
		if f.Tries > 1 {
			known += fmt.Sprintf(" (showed again after %d tries; each candidate had %d)", f.Tries, 2*f.Tries)
		}
		fmt.Fprintf(w, "%2d. %s%s: %d scenarios; shrunk to %d ops at depth %d in %d runs\n", i+1, f.Signature, known, f.Hits, f.Ops, f.Depth, f.ShrinkRuns)
		fmt.Fprintf(w, "    %s\n", f.Finding)
		for _, st := range f.Minimal.Scenario.Steps {
			where := st.Phase.String()
			if st.Phase != scenario.PhaseRuntime {
				where = fmt.Sprintf("%s %d", where, st.Layer)
			}
			for _, op := range st.Ops {
				fmt.Fprintf(w, "      %-9s %s\n", where, op.Shell())
			}
		}
		if oc, ok := outcomes[f]; ok {
			fmt.Fprintf(w, "    %s/scenario.json, %s/repro.sh (reproduces with sh: %s)\n", oc.Dir, oc.Dir, oc.Reproduces)
		}
	}
	printOpCoverage(w, rep)   // fuzz_coverage.go
	printFuzzCoverage(w, rep) // fuzz_coverage.go
}

func keys(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// fuzzJSON is the fuzz report as data.
func fuzzJSON(rep *fuzz.Report, outcomes fuzzOutcomes) any {
	type failure struct {
		Signature  string           `json:"signature"`
		Hits       int              `json:"hits"`
		KnownIssue string           `json:"known_issue,omitempty"`
		Ops        int              `json:"ops"`
		Depth      int              `json:"depth"`
		ShrinkRuns int              `json:"shrink_runs"`
		Tries      int              `json:"tries"` // runs a crash needed to show again
		Finding    snapshot.Finding `json:"finding"`
		Dir        string           `json:"dir,omitempty"`
		Reproduces string           `json:"reproduces,omitempty"`
	}
	var fs []failure
	for _, f := range rep.Failures {
		oc := outcomes[f]
		fs = append(fs, failure{f.Signature, f.Hits, f.Known, f.Ops, f.Depth, f.ShrinkRuns, f.Tries, f.Finding, oc.Dir, oc.Reproduces})
	}
	return map[string]any{
		"version": 1, "seed": rep.Seed, "scenarios": rep.Scenarios, "seconds": rep.Seconds, "rate": rep.Rate(),
		"shrink_seconds": rep.ShrinkSeconds, "batched": rep.Batched.Load(), "verdicts": rep.Verdicts, "failures": fs, "coverage": rep.Coverage,
		"findings_produced": rep.Produced, "kinds_unreachable": rep.Unreachable,
	}
}

// offlineAllowed asks the backend, as the engine asks it of every
// scenario, whether a change made to a lower layer while nothing is
// mounted can run (kernel overlay calls it undefined once redirect_dir,
// index, metacopy or xino was used): fuzz then generates no such steps.
func offlineAllowed(b backend.Backend) bool {
	sk, ok := b.(backend.ScenarioSkipper)
	if !ok {
		return true
	}
	probe := scenario.Scenario{Steps: []scenario.Step{scenario.OfflineAt(0, fsop.Mkdir{Path: "x", Mode: 0o755})}}
	return sk.SkipReason(probe) == ""
}
