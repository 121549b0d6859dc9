package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
)

// cmdReplay runs a scenario file written by fuzz again, on the backend it
// names or on another (the backend flags: --backend, --options, --unmount,
// --rootless): "does the kernel agree?". The layout, build mode and commit
// check are the ones the file records.
func cmdReplay(args []string) (int, error) {
	fs := flag.NewFlagSet("layercheck replay", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var bf backendFlags
	bf.register(fs, "", true) // "": the file's backend
	scratch := fs.String("scratch", sandbox.DefaultScratch, "where runs make their directories")
	files, err := parseInterleaved(fs, args, "layercheck replay [flags] SCENARIO.json")
	if err != nil {
		return 0, err
	}
	sf, err := readScenarioFile(files)
	if err != nil {
		return 0, err
	}
	if bf.backend == "" {
		bf.backend, bf.options = sf.Backend, sf.Options
		if bf.unmount == "" {
			bf.unmount = sf.Unmount
		}
	}
	backend, err := bf.newBackend()
	if err != nil {
		return 0, err
	}
	var df dimFlags // the layout, build mode and commit check the file records (dim_flags.go)
	df.fromDims(sf.dims)
	if bf.idmap == "" {
		bf.idmap = sf.Idmap // the mapping fuzz ran with (idmap_flags.go)
	}
	plan, err := df.checkedPlan(harness.Plan{Backend: backend, Depth: sf.Depth, ScratchBase: *scratch, Workers: 1}, &bf, "")
	if err != nil {
		return 0, err
	}
	if err := privateRun(); err != nil {
		return 0, err
	}
	if bf.rootless {
		rootlessIdmap(plan.Idmap) // idmap_flags.go
		if err := sandbox.ReexecRootless(*scratch); err != nil {
			return 0, err
		}
		plan.ScratchBase = sandbox.RootlessScratch()
	}
	ctx, stop := interruptible()
	defer stop()
	sess, err := harness.OpenSession(ctx, plan)
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	out := sess.Run(ctx, []scenario.Scenario{sf.Scenario}, nil)
	standing, res := out.Results[:len(out.Results)-1], out.Results[len(out.Results)-1]
	return printReplay(res, standing, backend, sf.Depth, sf.dims, sess.Gate()), nil
}

// readScenarioFile reads the one scenario file replay takes.
func readScenarioFile(files []string) (*scenarioFile, error) {
	if len(files) > 1 {
		return nil, &harness.UsageError{Msg: "replay takes one scenario file"}
	}
	if len(files) == 0 || files[0] == "" {
		return nil, &harness.UsageError{Msg: "replay: give a scenario.json written by layercheck fuzz"}
	}
	file := files[0]
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, &harness.UsageError{Msg: "replay: " + err.Error()}
	}
	var sf scenarioFile
	if err := json.Unmarshal(b, &sf); err != nil || sf.Version != 1 {
		return nil, &harness.UsageError{Msg: fmt.Sprintf("replay: %s is not a layercheck scenario file (%v)", file, err)}
	}
	return &sf, nil
}

// printReplay prints the replayed result and its standing entries and
// says the exit code.
func printReplay(res harness.Result, standing []harness.Result, b backend.Backend, depth int, d dims, gate harness.Gate) int {
	fmt.Printf("%s on %s (options %q), depth %d%s: %s\n", res.Name, b.Name(), b.Options(), depth, dimsLine(d, ""), res.Verdict)
	if res.Reason != "" {
		fmt.Println("  " + res.Reason)
	}
	for _, f := range res.Findings {
		if !f.Standing {
			fmt.Println("  " + f.String())
		}
	}
	for _, st := range standing {
		fmt.Printf("%s: %s, %d findings every scenario shows, left out above\n", st.Name, st.Verdict, len(st.Findings))
	}
	if gate.Fails(res) {
		return exitFindings
	}
	return exitOK
}
