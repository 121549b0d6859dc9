package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
	"golang.org/x/sys/unix"
)

// benchFlags are the flags of `layercheck bench`: the run flags that
// choose the stack, and how many times to measure.
type benchFlags struct {
	run    runFlags
	runs   int
	floorN int
}

func parseBenchFlags(args []string) (*benchFlags, error) {
	b := &benchFlags{run: runFlags{shardSpec: shardSpec{1, 1}}}
	f := &b.run
	fs := flag.NewFlagSet("layercheck bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&f.depth, "depth", harness.DefaultDepth, "read-only layers under the upper (1 to 500)")
	f.backendFlags.register(fs, "overlay", false) // --backend, --options, --unmount (backend_flags.go)
	fs.StringVar(&f.base, "base", "", "use this directory tree as the base layer instead of the rootfs fixture")
	fs.StringVar(&f.suite, "suite", "", "comma-separated suites to measure (default all)")
	fs.StringVar(&f.scratch, "scratch", sandbox.DefaultScratch, "where runs make their directories")
	fs.IntVar(&f.jobs, "j", runtime.NumCPU(), "scenarios run in parallel")
	fs.BoolVar(&f.fullRef, "full-reference", false, "copy the whole base into every scenario's reference (the slow way, to compare)")
	fs.IntVar(&b.runs, "runs", 3, "measure this many times and print the median")
	fs.IntVar(&b.floorN, "floor-cycles", 40, "floor cycles (mount, walk, unmount, reference copy) per run")
	if help, err := parseFlags(fs, args, "layercheck bench [flags]"); help || err != nil {
		return nil, err
	}
	if b.runs < 1 || b.floorN < 1 || f.jobs < 1 {
		return nil, &harness.UsageError{Msg: "--runs, --floor-cycles and -j must be at least 1"}
	}
	return b, nil
}

// cmdBench measures the floor a scenario cannot go below on this machine
// and the real per-scenario cost of each suite, and prints their ratio.
// Its figures are wall time per scenario with -j workers, CPU time per
// scenario (this process and its reaped children: FUSE daemons) and the
// peak RSS; compare them as ratios within one run.
func cmdBench(args []string) (int, error) {
	b, err := parseBenchFlags(args)
	if err != nil || b == nil {
		return exitOK, err
	}
	f := &b.run
	backend, err := f.newBackend()
	if err != nil {
		return 0, err
	}
	idmapSpec, err := f.idmapSpec()
	if err != nil {
		return 0, err
	}
	plan, err := harness.Plan{Backend: backend, Depth: f.depth, ScratchBase: f.scratch, Bases: fixtures.Bases(f.base),
		FullReference: f.fullRef, Workers: f.jobs, Idmap: idmapSpec}.Check()
	if err != nil {
		return 0, err
	}
	bySuite, err := benchScenarios(f, plan.Depth)
	if err != nil {
		return 0, err
	}
	if err := privateRun(); err != nil {
		return 0, err
	}
	ctx, stop := interruptible()
	defer stop()
	sess, err := harness.OpenSession(ctx, plan)
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	t, err := runBench(ctx, sess.Config(), b, bySuite)
	if err != nil {
		return 0, err
	}
	t.print(os.Stdout, b, backend.Name()+optionsSuffix(backend.Options()))
	if ctx.Err() != nil {
		return 130, nil
	}
	return exitOK, sess.Close()
}

func optionsSuffix(o string) string {
	if o == "" {
		return ""
	}
	return " (" + o + ")"
}

// benchScenarios expands the chosen suites at the depth, by suite.
func benchScenarios(f *runFlags, depth int) (map[string][]scenario.Scenario, error) {
	all, err := selectScenarios(f, depth)
	if err != nil {
		return nil, err
	}
	out := map[string][]scenario.Scenario{}
	for _, s := range all {
		out[s.Suite] = append(out[s.Suite], s)
	}
	return out, nil
}

// cost is one measurement: wall and CPU time per item.
type cost struct{ wall, cpu time.Duration }

// benchTable holds every run's measurements, to take medians of.
type benchTable struct {
	floor      []cost
	parts      []harness.FloorCost
	suites     map[string][]cost
	full       map[string][]cost // the same suites with Config.FullCompare
	viewed     [2]int64          // merged-view entries snapshotted, and taken from the base view (fast runs)
	counts     map[string]int
	verdicts   map[harness.Verdict]int
	entries    int
	peakRSSKiB int64
}

func runBench(ctx context.Context, cfg harness.Config, b *benchFlags, bySuite map[string][]scenario.Scenario) (*benchTable, error) {
	t := &benchTable{suites: map[string][]cost{}, full: map[string][]cost{}, counts: map[string]int{}, verdicts: map[harness.Verdict]int{}}
	if base := cfg.Bases["rootfs"]; base != nil && base.Sealed() != nil {
		t.entries = len(base.Sealed().Entries)
	}
	for run := 0; run < b.runs && ctx.Err() == nil; run++ {
		fc, parts, err := benchFloor(ctx, cfg, b.floorN, b.run.jobs)
		if err != nil {
			return nil, fmt.Errorf("floor: %w", err)
		}
		t.floor, t.parts = append(t.floor, fc), append(t.parts, parts...)
		for _, name := range sortedKeys(bySuite) {
			ss := bySuite[name]
			e0, r0 := harness.ReuseStats()
			c := timed(len(ss), func() {
				for _, r := range harness.Run(ctx, cfg, ss, b.run.jobs, nil) {
					if run == 0 {
						t.verdicts[r.Verdict]++
					}
				}
			})
			e1, r1 := harness.ReuseStats()
			t.viewed[0], t.viewed[1] = t.viewed[0]+e1-e0, t.viewed[1]+r1-r0
			t.suites[name] = append(t.suites[name], c)
			t.counts[name] = len(ss)
			full := cfg
			full.FullCompare = true // the yardstick, right after: a ratio within one run
			t.full[name] = append(t.full[name], timed(len(ss), func() { harness.Run(ctx, full, ss, b.run.jobs, nil) }))
		}
	}
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) == nil {
		t.peakRSSKiB = ru.Maxrss
	}
	return t, ctx.Err()
}

// benchFloor runs n floor cycles on jobs workers.
func benchFloor(ctx context.Context, cfg harness.Config, n, jobs int) (cost, []harness.FloorCost, error) {
	var mu sync.Mutex
	var parts []harness.FloorCost
	var firstErr error
	work := make(chan int)
	c := timed(n, func() {
		var wg sync.WaitGroup
		for w := 0; w < jobs; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range work {
					fc, err := harness.MeasureFloor(ctx, cfg, "rootfs")
					mu.Lock()
					parts = append(parts, fc)
					if err != nil && firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}()
		}
		for i := 0; i < n; i++ {
			work <- i
		}
		close(work)
		wg.Wait()
	})
	return c, parts, firstErr
}

// timed runs fn and returns its wall and CPU time divided by n items.
func timed(n int, fn func()) cost {
	cpu0, t0 := cpuTime(), time.Now()
	fn()
	return cost{wall: time.Since(t0) / time.Duration(n), cpu: (cpuTime() - cpu0) / time.Duration(n)}
}

// cpuTime is the user and system time of this process and its reaped
// children (the FUSE daemons it started).
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{unix.RUSAGE_SELF, unix.RUSAGE_CHILDREN} {
		var ru unix.Rusage
		if unix.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// median of the costs, by wall time (and the CPU time of the same run).
func median(cs []cost) cost {
	s := append([]cost(nil), cs...)
	sort.Slice(s, func(i, j int) bool { return s[i].wall < s[j].wall })
	return s[len(s)/2]
}

func medianDur(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func (t *benchTable) print(w io.Writer, b *benchFlags, backend string) {
	base := "rootfs fixture"
	if b.run.base != "" {
		base = b.run.base + " (with the fixture's entries)"
	}
	fmt.Fprintf(w, "machine: %s\n", machine())
	fmt.Fprintf(w, "backend %s, depth %d, base %s, %d entries, %d workers, median of %d runs\n",
		backend, b.run.depth, base, t.entries, b.run.jobs, b.runs)
	var m, wk, u, r []time.Duration
	for _, p := range t.parts {
		m, wk, u, r = append(m, p.Mount), append(wk, p.Walk), append(u, p.Unmount), append(r, p.Reference)
	}
	fl := median(t.floor)
	fmt.Fprintf(w, "floor, one cycle: mount %s, walk %s, unmount %s, reference copy %s\n",
		ms(medianDur(m)), ms(medianDur(wk)), ms(medianDur(u)), ms(medianDur(r)))
	fmt.Fprintf(w, "%-12s %9s %14s %13s %8s %14s %9s\n", "", "scenarios", "wall/scenario", "cpu/scenario", "x floor", "full-compare cpu", "cpu/full")
	fmt.Fprintf(w, "%-12s %9s %14s %13s %8s\n", "floor", "-", ms(fl.wall), ms(fl.cpu), "1.0")
	var total, totalFull cost
	n := 0
	for _, name := range sortedKeys(t.suites) {
		c, f := median(t.suites[name]), median(t.full[name])
		fmt.Fprintf(w, "%-12s %9d %14s %13s %8.1f %14s %9.2f\n", name, t.counts[name], ms(c.wall), ms(c.cpu), ratio(c.wall, fl.wall),
			ms(f.cpu), ratio(c.cpu, f.cpu))
		total.wall += c.wall * time.Duration(t.counts[name])
		total.cpu += c.cpu * time.Duration(t.counts[name])
		totalFull.cpu += f.cpu * time.Duration(t.counts[name])
		n += t.counts[name]
	}
	if n > 0 {
		fmt.Fprintf(w, "%-12s %9d %14s %13s %8.1f %14s %9.2f   (whole run %.1f s wall)\n", "all", n, ms(total.wall/time.Duration(n)),
			ms(total.cpu/time.Duration(n)), ratio(total.wall/time.Duration(n), fl.wall), ms(totalFull.cpu/time.Duration(n)),
			ratio(total.cpu, totalFull.cpu), total.wall.Seconds())
	}
	var vs []string
	for _, v := range sortedKeys(verdictNames(t.verdicts)) {
		vs = append(vs, fmt.Sprintf("%s %d", v, verdictNames(t.verdicts)[v]))
	}
	fmt.Fprintf(w, "merged-view entries taken from the base view instead of read: %d of %d (%.0f%%)\n",
		t.viewed[1], t.viewed[0], 100*float64(t.viewed[1])/float64(max(t.viewed[0], 1)))
	fmt.Fprintf(w, "verdicts (first run): %s\npeak RSS: %.1f MiB\n", strings.Join(vs, ", "), float64(t.peakRSSKiB)/1024)
}

func verdictNames(m map[harness.Verdict]int) map[string]int {
	out := map[string]int{}
	for v, n := range m {
		out[string(v)] = n
	}
	return out
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// machine names this machine: CPUs, kernel, CPU model.
func machine() string {
	var u unix.Utsname
	kernel := "?"
	if unix.Uname(&u) == nil {
		kernel = unix.ByteSliceToString(u.Release[:])
	}
	model := "?"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs, Linux %s, %s", runtime.NumCPU(), kernel, model)
}
