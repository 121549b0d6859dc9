package harness

import (
	"github.com/layercheck/layercheck/harness/kernfeat"
)

// checkKernel refuses a kernel older than the oldest layercheck runs on
// (exit 3) and a LAYERCHECK_PRETEND_MISSING naming no feature (exit 2),
// and probes every kernel feature once, before the scratch is made (its
// filesystem depends on one of them), so the fallbacks are chosen once for
// the whole run.
func checkKernel() error {
	if err := kernfeat.CheckPretend(); err != nil {
		return &UsageError{Msg: err.Error()}
	}
	if err := kernfeat.CheckMinimum(); err != nil {
		return &EnvError{Msg: err.Error()}
	}
	kernfeat.MissingFeatures()
	return nil
}

// KernelMissing lists the kernel features this run found missing (or was
// told to pretend missing), each with the kernel that brought it and what
// the run does instead, for the target line and the JSON report.
func KernelMissing() []kernfeat.Feature { return kernfeat.MissingFeatures() }
