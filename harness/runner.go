package harness

import (
	"context"
	"sync"

	"github.com/layercheck/layercheck/harness/scenario"
)

// Run runs the scenario instances on workers goroutines and returns their
// results in the order given. progress, if not nil, is called after each
// scenario, from one goroutine at a time. When ctx is cancelled (Ctrl-C),
// running scenarios stop at their next op and tear down; scenarios not yet
// started are reported as errors with the reason.
func Run(ctx context.Context, cfg Config, scenarios []scenario.Scenario, workers int, progress func(done, total int, r Result)) []Result {
	if workers < 1 {
		workers = 1
	}
	results := make([]Result, len(scenarios))
	jobs := make(chan int)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				var res Result
				if err := ctx.Err(); err != nil {
					res = Result{Name: scenarios[i].FullName(), Suite: scenarios[i].Suite, Verdict: Error, Reason: "not run: " + err.Error(), Scenario: scenarios[i]}
				} else {
					if cfg.OnStart != nil {
						cfg.OnStart(scenarios[i].FullName())
					}
					res = runRepeated(ctx, cfg, func() Result { return RunScenario(ctx, cfg, scenarios[i]) }) // repeat.go
				}
				results[i] = res
				mu.Lock()
				done++
				if progress != nil {
					progress(done, len(scenarios), res)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range scenarios {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}
