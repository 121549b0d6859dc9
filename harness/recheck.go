package harness

import (
	"context"
	"regexp"
	"strings"

	"github.com/layercheck/layercheck/harness/snapshot"
)

// MaxKernelRechecks bounds the scenarios Recheck reruns: a machine whose
// other programs fill the kernel log would otherwise make every scenario
// a suspect.
const MaxKernelRechecks = 32

// RecheckKernel finds which scenario caused the kernel lines that named
// none (Result.KernelSuspects): it reruns each suspected scenario alone,
// one at a time, and a line that comes again in its rerun is a crash
// finding of that scenario (results[i] then fails). It returns the lines
// no rerun brought back, to be reported once for the run as not
// attributed, and clears the suspects. The runner calls it after Run.
func RecheckKernel(ctx context.Context, cfg Config, results []Result) (unattributed []string) {
	pending := map[string]string{} // normalized -> as first seen
	reruns := 0
	for i := range results {
		res := &results[i]
		suspects := res.KernelSuspects
		res.KernelSuspects = nil
		if len(suspects) == 0 {
			continue
		}
		for _, l := range suspects {
			if _, seen := pending[lineKey(l)]; !seen {
				pending[lineKey(l)] = l
			}
		}
		if reruns >= MaxKernelRechecks || ctx.Err() != nil {
			continue
		}
		reruns++
		again := RunScenario(ctx, cfg, res.Scenario)
		seen := map[string]bool{}
		for _, text := range again.kernelLines() {
			for _, l := range strings.Split(text, "\n") {
				seen[lineKey(l)] = true
			}
		}
		var lines []string
		for _, l := range suspects {
			if seen[lineKey(l)] {
				lines = append(lines, l)
				delete(pending, lineKey(l))
			}
		}
		addKernelFinding(res, lines, nil)
	}
	for _, l := range pending {
		unattributed = append(unattributed, l)
	}
	return unattributed
}

// kernelLines are the kernel's lines a rerun saw: those it claimed and
// those it could not (it ran alone, so they are its or another program's).
func (r Result) kernelLines() []string {
	out := append([]string(nil), r.KernelSuspects...)
	for _, f := range r.Findings {
		if f.Kind == snapshot.KindCrash && f.Field == "warning" {
			text := strings.TrimPrefix(f.Merged, "the kernel logged: ")
			out = append(out, text)
		}
	}
	return out
}

var volatileText = regexp.MustCompile(`0x[0-9a-f]+|[0-9]+`)

// lineKey is a line's first line with its numbers (PIDs, addresses, CPU,
// times) blanked: the same report from another run of the same scenario.
func lineKey(l string) string {
	first, _, _ := strings.Cut(l, "\n")
	return volatileText.ReplaceAllString(first, "#")
}
