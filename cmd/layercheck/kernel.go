package main

import (
	"fmt"
	"io"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/kernfeat"
)

// kernelFeature is a kernel feature the run found missing, as the JSON
// target records it: what brought it and what the run did instead.
type kernelFeature struct {
	Feature string `json:"feature"`
	Since   string `json:"since"`
	// Fallback is what the run did instead; "" when what needs the
	// feature was skipped.
	Fallback string `json:"fallback,omitempty"`
	// Pretended says the kernel has it and LAYERCHECK_PRETEND_MISSING
	// made the run act as if it had not.
	Pretended bool `json:"pretended,omitempty"`
}

// kernelMissing is what the probes of this run found missing (never nil:
// an empty list says they ran and found everything).
func kernelMissing() []kernelFeature {
	out := []kernelFeature{}
	for _, f := range harness.KernelMissing() {
		out = append(out, kernelFeature{Feature: f.Name, Since: f.Since, Fallback: f.Fallback, Pretended: kernfeat.Pretended(f.Name)})
	}
	return out
}

// printKernelMissing writes, under the target line, the features the
// kernel lacks and what the run does instead (nothing when none is).
func printKernelMissing(w io.Writer, missing []kernelFeature) {
	for _, f := range missing {
		how := "what needs it skips"
		if f.Fallback != "" {
			how = "instead: " + f.Fallback
		}
		pretend := ""
		if f.Pretended {
			pretend = ", pretended by " + kernfeat.EnvPretend
		}
		fmt.Fprintf(w, "  kernel lacks %s (Linux %s%s); %s\n", f.Feature, f.Since, pretend, how)
	}
}
