package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sort"

	"github.com/layercheck/layercheck/harness"
)

// cmdMerge joins the JSON results of the shards of one run:
//
//	layercheck merge a.json b.json ... [--json all.json] [--junit all.xml]
//
// It refuses (exit 2) shards of different targets, a shard missing or
// given twice, a scenario in two shards, or a total that does not add up;
// then prints the summary of the whole and exits as the whole run would.
func cmdMerge(args []string) (int, error) {
	fs := flag.NewFlagSet("layercheck merge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	jsonOut := fs.String("json", "", "write the merged results as JSON to `FILE`")
	junitOut := fs.String("junit", "", "write the merged results as JUnit XML to `FILE`")
	verbose := fs.Bool("v", false, "list every scenario")
	var gf gateFlags
	fs.StringVar(&gf.failOn, "fail-on", "", "also exit 1 on these: xpass, gone, kernel-event (as run's)")
	fs.StringVar(&gf.baseline, "baseline", "", "exit 1 only on deviations not in `FILE` (as run's)")
	files, err := parseInterleaved(fs, args, "layercheck merge [flags] SHARD.json...")
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, &harness.UsageError{Msg: "merge: give the JSON result files of every shard"}
	}
	gate, err := gf.gate()
	if err != nil {
		return 0, err
	}
	merged, err := mergeReports(files, gate, gf.baseline)
	if err != nil {
		return 0, err
	}
	merged.print(os.Stdout, *verbose)
	if err := merged.writeFiles(*jsonOut, *junitOut); err != nil {
		return 0, err
	}
	if merged.judge().Fails {
		return exitFindings, nil
	}
	return exitOK, nil
}

func mergeReports(files []string, gate harness.Gate, baselineFile string) (*report, error) {
	var out *report
	seenShard := map[int]string{}
	seenName := map[string]string{}
	count, selected := 0, 0
	var standing []harness.Result
	for _, file := range files {
		r, err := readReport(file)
		if err != nil {
			return nil, &harness.UsageError{Msg: "merge: " + err.Error()}
		}
		if r.Shard == nil {
			return nil, &harness.UsageError{Msg: fmt.Sprintf("merge: %s is not a shard (run with --shard K/N)", file)}
		}
		if out == nil {
			out = &report{Version: 1, Target: r.Target, Command: r.Command, gate: gate, baselineFile: baselineFile}
			count, selected = r.Shard.Count, r.Shard.Selected
		}
		if !reflect.DeepEqual(r.Target, out.Target) { // kernel_missing is a list
			return nil, &harness.UsageError{Msg: fmt.Sprintf("merge: %s ran against %+v, %s against %+v", files[0], out.Target, file, r.Target)}
		}
		if r.Shard.Count != count || r.Shard.Selected != selected {
			return nil, &harness.UsageError{Msg: fmt.Sprintf("merge: %s is shard %d/%d of %d scenarios, %s of %d/%d", file, r.Shard.Index, r.Shard.Count, r.Shard.Selected, files[0], count, selected)}
		}
		if prev, dup := seenShard[r.Shard.Index]; dup {
			return nil, &harness.UsageError{Msg: fmt.Sprintf("merge: shard %d/%d given twice (%s and %s)", r.Shard.Index, count, prev, file)}
		}
		seenShard[r.Shard.Index] = file
		if standing, err = addShard(out, r, file, seenName, standing); err != nil {
			return nil, err
		}
		out.Summary.Seconds = max(out.Summary.Seconds, r.Summary.Seconds) // shards run side by side
		for _, e := range r.KernelEvents {                                // shards on one host see the same lines
			if !slices.Contains(out.KernelEvents, e) {
				out.KernelEvents = append(out.KernelEvents, e)
			}
		}
	}
	var missing []int
	for k := 1; k <= count; k++ {
		if _, ok := seenShard[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, &harness.UsageError{Msg: fmt.Sprintf("merge: shards %v of %d are missing", missing, count)}
	}
	if len(out.Scenarios) != selected {
		return nil, &harness.UsageError{Msg: fmt.Sprintf("merge: the shards hold %d scenarios, the run selected %d", len(out.Scenarios), selected)}
	}
	sort.SliceStable(out.Scenarios, func(i, j int) bool { return out.Scenarios[i].Name < out.Scenarios[j].Name })
	out.Scenarios = append(standing, out.Scenarios...)
	out.count()
	return out, nil
}

// addShard adds the scenarios of one shard's report r (read from file) to
// out, the standing entries once (every shard runs them); a scenario in
// two shards is bad usage. seenName says which file each name came from.
func addShard(out, r *report, file string, seenName map[string]string, standing []harness.Result) ([]harness.Result, error) {
	for _, s := range r.Scenarios {
		if s.Suite == harness.StandingSuite {
			// Every shard runs the standing entry; it is one.
			if _, dup := seenName[s.Name]; !dup {
				seenName[s.Name] = file
				standing = append(standing, s)
			}
			continue
		}
		if prev, dup := seenName[s.Name]; dup {
			return nil, &harness.UsageError{Msg: fmt.Sprintf("merge: scenario %s is in %s and %s", s.Name, prev, file)}
		}
		seenName[s.Name] = file
		out.Scenarios = append(out.Scenarios, s)
	}
	return standing, nil
}
