package main

import (
	"fmt"
	"sync"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/guest"
	"github.com/layercheck/layercheck/harness"
)

// In a `layercheck vm` guest, the run writes "start NAME" and "done NAME"
// lines to the serial port the host keeps, so that a kernel that dies
// mid-run is reported with the scenarios it died in. Elsewhere both hooks
// are nothing.
var traceMu sync.Mutex

// traceStart is the plan's OnStart in a guest (nil elsewhere).
func traceStart() func(name string) {
	f := guest.Trace()
	if f == nil {
		return nil
	}
	return func(name string) {
		traceMu.Lock()
		defer traceMu.Unlock()
		fmt.Fprintf(f, "start %s\n", name)
	}
}

// traceDone wraps the run's progress so that, in a guest, each finished
// scenario is written to the trace before update sees it.
func traceDone(update harness.Progress) harness.Progress {
	f := guest.Trace()
	if f == nil {
		return update
	}
	return func(done, total int, r harness.Result) {
		traceMu.Lock()
		fmt.Fprintf(f, "done %s\n", r.Name)
		traceMu.Unlock()
		update(done, total, r)
	}
}
