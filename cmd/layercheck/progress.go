package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness"
)

// progress shows a run's advance: one rewritten line on a terminal, a plain
// line every few seconds otherwise, nothing with --quiet.
type progress struct {
	w        io.Writer
	tty      bool
	quiet    bool
	gate     harness.Gate // what counts as failing
	start    time.Time
	last     time.Time
	failures int
}

func newProgress(w *os.File, quiet bool, gate harness.Gate) *progress {
	_, err := unix.IoctlGetTermios(int(w.Fd()), unix.TCGETS)
	return &progress{w: w, tty: err == nil, quiet: quiet, gate: gate, start: time.Now()}
}

func (p *progress) update(done, total int, r harness.Result) {
	if p.gate.Fails(r) {
		p.failures++
	}
	if p.quiet {
		return
	}
	now := time.Now()
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(done) / max(elapsed, 1e-9)
	eta := time.Duration(float64(total-done)/max(rate, 1e-9)) * time.Second
	line := fmt.Sprintf("[%d/%d] %d failing, %.1f scenarios/s, ETA %s", done, total, p.failures, rate, eta.Round(time.Second))
	switch {
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	case done == total || now.Sub(p.last) >= 5*time.Second:
		fmt.Fprintln(p.w, line)
		p.last = now
	}
}

func (p *progress) finish() {
	if p.tty && !p.quiet {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
