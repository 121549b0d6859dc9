package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
)

// cmdReplay runs a scenario file written by fuzz again, on the backend it
// names or on another (the backend flags: --backend, --options, --unmount,
// --rootless): "does the kernel agree?".
func cmdReplay(args []string) (int, error) {
	fs := flag.NewFlagSet("layercheck replay", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var bf backendFlags
	bf.register(fs, "", true) // "": the file's backend
	scratch := fs.String("scratch", sandbox.DefaultScratch, "where runs make their directories")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(files) > 1 {
		return 0, &harness.UsageError{Msg: "replay takes one scenario file"}
	}
	file := ""
	if len(files) == 1 {
		file = files[0]
	}
	if file == "" {
		return 0, &harness.UsageError{Msg: "replay: give a scenario.json written by layercheck fuzz"}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, &harness.UsageError{Msg: "replay: " + err.Error()}
	}
	var sf scenarioFile
	if err := json.Unmarshal(b, &sf); err != nil || sf.Version != 1 {
		return 0, &harness.UsageError{Msg: fmt.Sprintf("replay: %s is not a layercheck scenario file (%v)", file, err)}
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
	if err := privateRun(); err != nil {
		return 0, err
	}
	if bf.rootless {
		if err := sandbox.ReexecRootless(*scratch); err != nil {
			return 0, err
		}
		*scratch = sandbox.RootlessScratch()
	}
	ctx, stop := interruptible()
	defer stop()
	idmapSpec, err := parseIdmap(bf.idmap) // idmap_flags.go
	if err != nil {
		return 0, err
	}
	sess, err := harness.OpenSession(ctx, harness.SessionOptions{Backend: backend, Depth: sf.Depth, ScratchBase: *scratch,
		Timeout: 2 * time.Minute, Bases: fixtures.Bases(""), Idmap: idmapSpec})
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	cfg := sess.Config
	standing := harness.RunStanding(ctx, &cfg, []scenario.Scenario{sf.Scenario})
	res := harness.RunScenario(ctx, cfg, sf.Scenario)
	fmt.Printf("%s on %s (options %q), depth %d: %s\n", res.Name, backend.Name(), backend.Options(), sf.Depth, res.Verdict)
	if res.Reason != "" {
		fmt.Println("  " + res.Reason)
	}
	for _, f := range res.Findings {
		if !f.Standing {
			fmt.Println("  " + f.String())
		}
	}
	gate := harness.Gate{}
	for _, st := range standing {
		fmt.Printf("%s: %s, %d findings every scenario shows, left out above\n", st.Name, st.Verdict, len(st.Findings))
	}
	if gate.Fails(res) {
		return exitFindings, nil
	}
	return exitOK, nil
}
