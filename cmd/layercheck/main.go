// Command layercheck checks a layered filesystem against a plain copy.
//
//	layercheck [run] [flags]   run the suites (the default command)
//	layercheck vm --kernel IMAGE|--kernel-deb DEB [run flags]   a run in qemu, on that kernel
//	layercheck compare A.json B.json   the deviations that appeared, disappeared or changed from A to B
//	layercheck bench [flags]   the floor a scenario cannot go below, each suite against it
//	layercheck fuzz [flags]    random scenarios, shrunk to a minimal reproducer on failure
//	layercheck replay FILE     run a scenario file from fuzz again (on any backend)
//	layercheck merge FILES     join the JSON results of the shards of a run
//	layercheck baseline FILES  the deviations of runs, as a --baseline file
//	layercheck export ...      an upper directory as an OCI layer tar
//	layercheck cleanup         unmount and remove what an interrupted run left
//
// Exit codes: 0 no unexpected finding (with --baseline: none new); 1
// unexpected findings (or a scenario that could not run); 2 bad usage or configuration; 3 the environment
// cannot run it (no privilege, backend missing).
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/guest"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/sandbox"
)

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	exitEnv      = 3
)

func main() {
	if guest.IsInit() { // PID 1 of a `layercheck vm` guest (vm.go)
		guest.Init()
	}
	os.Exit(realMain(os.Args[1:]))
}

func realMain(args []string) int {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	code := exitOK
	switch cmd {
	case "run":
		code, err = cmdRun(args)
	case "cleanup":
		err = cmdCleanup(args)
	case "merge":
		code, err = cmdMerge(args)
	case "fuzz":
		code, err = cmdFuzz(args)
	case "replay":
		code, err = cmdReplay(args)
	case "__probe-rootless":
		return cmdProbeRootless(args)
	case "backends":
		code, err = cmdBackends(args)
	case "matrix":
		code, err = cmdMatrix(args)
	case "baseline":
		code, err = cmdBaseline(args, os.Stdout)
	case "export":
		code, err = cmdExport(args) // export.go
	case "bench":
		code, err = cmdBench(args)
	case "vm":
		code, err = cmdVM(args) // vm.go
	case "compare":
		code, err = cmdCompare(args, os.Stdout) // compare.go
	case "help":
		usage(os.Stdout)
		return exitOK
	default:
		err = &harness.UsageError{Msg: fmt.Sprintf("unknown command %q (commands: run, vm, compare, bench, matrix, backends, export, fuzz, replay, merge, baseline, cleanup, help)", cmd)}
	}
	return exitOf(err, code)
}

// exitOf is the exit code of a command that returned code and err: a
// re-executed child's own code (sandbox.ChildExit, nothing to print), or
// err said in one line with the code its kind maps to.
func exitOf(err error, code ...int) int {
	var ce *sandbox.ChildExit
	switch {
	case err == nil && len(code) > 0:
		return code[0]
	case err == nil:
		return exitOK
	case errors.As(err, &ce):
		return ce.Code
	case errors.Is(err, errHelpShown):
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "layercheck: "+errorLine(err))
	return exitCode(err)
}

// errorLine says err in the command line's words: where the library names
// the setting at fault, it is the flag that sets it.
func errorLine(err error) string {
	var ue *harness.UsageError
	var ee *harness.EnvError
	switch {
	case errors.As(err, &ue) && ue.Setting != "":
		return "--" + ue.Setting + ": " + ue.Msg
	case errors.As(err, &ee) && ee.Setting != "":
		return "--" + ee.Setting + ": " + ee.Msg
	}
	return err.Error()
}

func exitCode(err error) int {
	var ue *harness.UsageError
	var ee *harness.EnvError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ee):
		return exitEnv
	}
	return exitFindings
}

func usage(w *os.File) {
	fmt.Fprint(w, `usage: layercheck [run] [flags]   run the suites against a layered filesystem
       layercheck vm --kernel IMAGE [--modules DIR] | --kernel-deb PKG.deb [run flags]   the same run, in qemu on that kernel
       layercheck compare A.json B.json   deviations that appeared, disappeared or changed between two runs (two kernels)
       layercheck fuzz [--depth N] [--count N | --duration D] [--seed N] [--out DIR]   random scenarios, shrunk on failure
       layercheck replay FILE [--backend NAME --options STR]   run a fuzz scenario file again
       layercheck merge a.json b.json ... [--json FILE] [--junit FILE]   join the shards of a run
       layercheck matrix --backends LIST [--depth N] [--markdown FILE]   the suites against several backends, one table
       layercheck bench [--depth N] [--backend NAME] [--base DIR] [--runs N]   the floor a scenario cannot go below, and each suite's cost against it
       layercheck baseline RESULTS.json... > FILE   the deviations of runs, for --baseline FILE
       layercheck export --lower DIR:DIR... --upper DIR [--format F] [--explain] > layer.tar   an upper as an OCI layer tar
       layercheck backends   every backend: installed or not, version, features probed by a real mount
       layercheck cleanup [--scratch DIR]   unmount and remove what an interrupted run left

Run 'layercheck run -h' for the flags.
`)
}
