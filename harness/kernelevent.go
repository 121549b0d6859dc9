package harness

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/layercheck/layercheck/harness/kernlog"
	"golang.org/x/sys/unix"
)

// A kernel line seen during a run is a scenario's crash finding only when
// it names the scenario (its directory, its thread; health.go) or when
// the scenario, rerun alone, brings it back (RecheckKernel). Any other
// line is another program's, another layercheck run's on the same host,
// or a one-time event: it is reported once for the run, with its time, as
// a KernelEvent, in no scenario's verdict. Whether such events fail the
// run is the user's choice (Gate.FailOnKernelEvent, --fail-on
// kernel-event), off by default.

// KernelEvent is a problem line the kernel logged during a run that no
// scenario reproduced.
type KernelEvent struct {
	// Uptime is when the kernel logged it, in seconds since boot, as
	// dmesg prints it; 0 for a taint bit, which has no time.
	Uptime float64 `json:"uptime_seconds,omitempty"`
	// Time is Uptime on the wall clock (the boot time as of the run's end).
	Time time.Time `json:"time,omitempty"`
	Text string    `json:"text"`
}

func (e KernelEvent) String() string {
	if e.Uptime == 0 {
		return e.Text
	}
	return fmt.Sprintf("[%s, %.6fs after boot] %s", e.Time.UTC().Format(time.RFC3339), e.Uptime, e.Text)
}

// stamp is how a suspect line is kept until RecheckKernel decides on it:
// its text after its time, as dmesg prints them ("[  390.978174] ...").
// lineKey ignores the stamp.
func stamp(l kernlog.Line) string {
	return fmt.Sprintf("[%12.6f] %s", l.Time.Seconds(), l.Text)
}

var stampPrefix = regexp.MustCompile(`^\[ *([0-9]+\.[0-9]+)\] `)

// unstamp splits a suspect line into its time since boot and its text.
func unstamp(s string) (float64, string) {
	m := stampPrefix.FindStringSubmatchIndex(s)
	if m == nil {
		return 0, s
	}
	v, _ := strconv.ParseFloat(s[m[2]:m[3]], 64)
	return v, s[m[1]:]
}

// KernelEvents turns what RecheckKernel left unattributed into the run's
// kernel events, oldest first.
func KernelEvents(unattributed []string) []KernelEvent {
	var ts unix.Timespec
	var boot time.Time
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) == nil {
		// /dev/kmsg times are the kernel's local clock, which, like
		// CLOCK_MONOTONIC, starts at boot.
		boot = time.Now().Add(-time.Duration(ts.Nano()))
	}
	out := make([]KernelEvent, 0, len(unattributed))
	for _, s := range unattributed {
		up, text := unstamp(s)
		e := KernelEvent{Uptime: up, Text: text}
		if up > 0 && !boot.IsZero() {
			e.Time = boot.Add(time.Duration(up * float64(time.Second))).Truncate(time.Millisecond)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Uptime < out[j].Uptime })
	return out
}

// FailsOnEvents reports whether the run's kernel events fail it: only
// when the user asked (FailOnKernelEvent) and there was one.
func (g Gate) FailsOnEvents(events []KernelEvent) bool {
	return g.FailOnKernelEvent && len(events) > 0
}
