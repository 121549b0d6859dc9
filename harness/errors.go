package harness

import "github.com/layercheck/layercheck/harness/errs"

// UsageError is an error in what the caller asked for: a setting out of
// range, options a backend refuses. The command line maps it to exit 2.
type UsageError = errs.UsageError

// EnvError says the environment cannot run the check: no privilege, a
// backend not installed, no kernel support. The command line maps it to
// exit 3.
type EnvError = errs.EnvError
