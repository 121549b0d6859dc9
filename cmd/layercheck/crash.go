package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/layercheck/layercheck/harness"
)

// printHealth says what the summary's counts cannot: the scenarios whose
// verdict differed between --repeat runs, whether the kernel log was
// checked, and the kernel's problem lines that no scenario brought back
// when rerun alone (another program's, another run's, or a one-time
// event): each once, with its time, in no scenario's verdict.
func printHealth(w io.Writer, results []harness.Result, events []harness.KernelEvent) {
	for _, res := range results {
		if res.Repeats != nil && res.Repeats.Flaky {
			fmt.Fprintf(w, "FLAKY %s: %s (tries here until it failed: %d)\n", res.Name, res.Repeats, res.Repeats.FirstFail)
		}
	}
	if why := harness.KernelHealthUnavailable(); why != "" {
		fmt.Fprintf(w, "Note: %s\n", why)
	}
	if len(events) > 0 {
		fmt.Fprintf(w, "Kernel events during the run: %d problem line(s) that no scenario reproduced alone, in no verdict (--fail-on kernel-event fails the run on them; see dmesg):\n", len(events))
		for _, e := range events {
			fmt.Fprintf(w, "  kernel event %s\n", strings.ReplaceAll(e.String(), "\n", "\n    "))
		}
	}
}
