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
// when rerun alone (another program's, or a one-time event).
func printHealth(w io.Writer, results []harness.Result, unattributed []string) {
	for _, res := range results {
		if res.Repeats != nil && res.Repeats.Flaky {
			fmt.Fprintf(w, "FLAKY %s: %s (tries here until it failed: %d)\n", res.Name, res.Repeats, res.Repeats.FirstFail)
		}
	}
	if why := harness.KernelHealthUnavailable(); why != "" {
		fmt.Fprintf(w, "Note: %s\n", why)
	}
	if len(unattributed) > 0 {
		fmt.Fprintf(w, "The kernel logged %d problem(s) during the run that no scenario reproduced alone (see dmesg):\n", len(unattributed))
		for _, l := range unattributed {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(l, "\n", "\n    "))
		}
	}
}
