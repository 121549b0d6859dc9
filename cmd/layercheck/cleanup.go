package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/layercheck/layercheck/harness/sandbox"
)

func cmdCleanup(args []string) error {
	fs := flag.NewFlagSet("layercheck cleanup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	scratch := fs.String("scratch", sandbox.DefaultScratch, "the scratch directory runs used")
	if help, err := parseFlags(fs, args, "layercheck cleanup [flags]"); help || err != nil {
		return err
	}
	rep, err := sandbox.Cleanup(*scratch)
	for _, k := range rep.Killed {
		fmt.Println("killed daemon", k)
	}
	for _, m := range rep.Unmounted {
		fmt.Println("unmounted", m)
	}
	for _, d := range rep.Removed {
		fmt.Println("removed", d)
	}
	for _, d := range rep.Live {
		fmt.Println("left alone (run in progress):", d)
	}
	if err == nil && len(rep.Killed)+len(rep.Unmounted)+len(rep.Removed) == 0 {
		fmt.Println("nothing to clean up in", *scratch)
	}
	return err
}
