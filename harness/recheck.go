package harness

import (
	"context"
	"regexp"
	"strings"
	"time"

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
	pending := map[string]string{} // key -> the line as first seen
	attributed := map[string]bool{}
	reruns, lastSawLines := 0, true
	// A line a check provoked on purpose is nobody's suspect: with
	// workers, a scenario running beside the check saw it too.
	provoked := map[string]bool{}
	for _, res := range results {
		for _, l := range res.KernelProvoked {
			provoked[lineKey(l)] = true
		}
	}
	for i := range results {
		res := &results[i]
		var open []string // suspects no rerun has claimed yet
		for _, l := range res.KernelSuspects {
			if k := lineKey(l); !attributed[k] && !provoked[k] {
				open = append(open, l)
				if _, ok := pending[k]; !ok {
					pending[k] = l
				}
			}
		}
		res.KernelSuspects = nil
		if len(open) == 0 || reruns >= MaxKernelRechecks || ctx.Err() != nil {
			continue
		}
		reruns++
		if lastSawLines { // the kernel's rate limit: see RatelimitPause
			waitRatelimit(ctx)
		}
		seen := rerunKernelLines(ctx, cfg, res)
		lastSawLines = len(seen) > 0
		var lines []string
		for _, l := range open {
			if k := lineKey(l); seen[k] {
				_, text := unstamp(l)
				lines = append(lines, text)
				attributed[k] = true
				delete(pending, k)
			}
		}
		addKernelFindings(res, kernelFindings(lines, nil), &cfg)
	}
	for _, l := range pending {
		unattributed = append(unattributed, l)
	}
	return unattributed
}

// rerunKernelLines runs res's scenario again, alone, and returns the keys
// of every kernel line it saw.
func rerunKernelLines(ctx context.Context, cfg Config, res *Result) map[string]bool {
	again := RunScenario(ctx, cfg, res.Scenario)
	seen := map[string]bool{}
	for _, text := range again.kernelLines() {
		for _, l := range strings.Split(text, "\n") {
			seen[lineKey(l)] = true
		}
	}
	return seen
}

// kernelLines are the kernel's lines a rerun saw: those it claimed and
// those it could not (it ran alone, so they are its or another program's).
func (r Result) kernelLines() []string {
	out := append([]string(nil), r.KernelSuspects...)
	for _, f := range r.Findings {
		if f.Kind == snapshot.KindCrash && f.Field == "warning" || f.Kind == snapshot.KindKernelWarning {
			text := strings.TrimPrefix(f.Merged, "the kernel logged: ")
			out = append(out, text)
		}
	}
	return out
}

// RatelimitPause is how long RecheckKernel waits before its first rerun,
// and before a rerun that follows one that made the kernel talk: many
// overlayfs warnings are printed through pr_warn_ratelimited, whose
// default allows 10 messages per 5 seconds (DEFAULT_RATELIMIT_INTERVAL),
// and a rerun right after the run's own burst would be silenced.
var RatelimitPause = 5 * time.Second

func waitRatelimit(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(RatelimitPause):
	}
}

var volatileText = regexp.MustCompile(`0x[0-9a-f]+|[0-9]+`)

// lineKey is a line's first line with its numbers (PIDs, addresses, CPU,
// times) blanked: the same report from another run of the same scenario.
func lineKey(l string) string {
	_, l = unstamp(l)
	first, _, _ := strings.Cut(l, "\n")
	return volatileText.ReplaceAllString(first, "#")
}
