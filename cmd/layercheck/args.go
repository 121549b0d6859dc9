package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/sandbox"
)

// parseInterleaved parses flags that may come before, between or after
// the file arguments (`merge a.json --junit x.xml b.json`), which the flag
// package alone stops at, and returns the files.
// -h prints usage and the flags (errHelpShown: the command exits 0).
func parseInterleaved(fs *flag.FlagSet, args []string, usage string) ([]string, error) {
	var files []string
	for len(args) > 0 {
		if err := fs.Parse(args); err == flag.ErrHelp {
			printUsage(fs, usage)
			return nil, errHelpShown
		} else if err != nil {
			return nil, &harness.UsageError{Msg: err.Error()}
		}
		if args = fs.Args(); len(args) > 0 {
			files, args = append(files, args[0]), args[1:]
		}
	}
	return files, nil
}

// errNotRoot is why every command that mounts refuses to run unprivileged.
var errNotRoot = &harness.EnvError{Msg: "layercheck mounts filesystems and acts as several users: run it as root"}

// privateRun checks for root and moves the process into a private mount
// namespace (see sandbox.ReexecInMountNamespace): every mount made from
// here on dies with the run, whatever ends it.
func privateRun() error {
	if os.Geteuid() != 0 {
		return errNotRoot
	}
	return sandbox.ReexecInMountNamespace()
}

// interruptible is the context of a run: Ctrl-C, SIGTERM and SIGHUP cancel
// it, and the run tears down and exits 130.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

// parseFlags parses a subcommand's flags, which take no other argument.
// -h prints usage and the flags on stdout and says so (help: the caller
// exits 0); a bad flag or a stray argument is a usage error (exit 2).
func parseFlags(fs *flag.FlagSet, args []string, usage string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			printUsage(fs, usage)
			return true, nil
		}
		return false, &harness.UsageError{Msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return false, &harness.UsageError{Msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return false, nil
}

// printUsage prints a command's usage line and its flags on stdout.
func printUsage(fs *flag.FlagSet, usage string) {
	fs.SetOutput(os.Stdout)
	fmt.Println("usage: " + usage)
	fs.PrintDefaults()
}

// errHelpShown is returned by a command that printed its usage because
// it was asked to (-h, --help): the command exits 0 and says nothing more.
var errHelpShown = errors.New("usage shown")

// wantsHelp reports whether args ask for help, for the commands whose
// arguments are not a flag set (baseline, compare, vm's own).
func wantsHelp(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" })
}
