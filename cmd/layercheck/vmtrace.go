package main

import (
	"fmt"
	"sync"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/guest"
	"github.com/layercheck/layercheck/harness"
)

// traceScenarios, in a `layercheck vm` guest, writes "start NAME" and
// "done NAME" lines to the serial port the host keeps, so that a kernel
// that dies mid-run is reported with the scenarios it died in. Elsewhere
// it returns update unchanged.
func traceScenarios(cfg *harness.Config, update func(done, total int, r harness.Result)) func(done, total int, r harness.Result) {
	f := guest.Trace()
	if f == nil {
		return update
	}
	var mu sync.Mutex
	cfg.OnStart = func(name string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(f, "start %s\n", name)
	}
	return func(done, total int, r harness.Result) {
		mu.Lock()
		fmt.Fprintf(f, "done %s\n", r.Name)
		mu.Unlock()
		update(done, total, r)
	}
}
