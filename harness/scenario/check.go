package scenario

import (
	"context"

	"github.com/layercheck/layercheck/harness/snapshot"
)

// Check is a scenario's own procedure, for what a list of ops through the
// one stack of a run cannot express: the new mount API's layer rules, the
// fsid that the uuid option gives across remounts, file handles, escaped
// xattrs and xwhiteouts read by a nested mount. It makes its own layers
// and mounts of kernel overlayfs beneath a directory the harness gives it
// and takes every mount down before it returns. A scenario with a Check
// has no Steps; it runs once at any depth and on any layout (the layers
// it makes are its own), and its result, findings and reproducer go
// wherever every other scenario's do.
type Check interface {
	Run(ctx context.Context, dir string) CheckResult
}

// CheckResult is what a check came to.
type CheckResult struct {
	// Skip, if set, is why the check could not run here: a feature the
	// kernel lacks (probed, never read from a version number), with the
	// overlayfs.rst section that describes it.
	Skip string
	// Findings are where the kernel did otherwise than the cited
	// documentation says; their text holds no scratch path, so that a
	// baseline matches them from run to run.
	Findings []snapshot.Finding
	// Notes are what the check measured that is no finding (which
	// xwhiteout format the kernel reads), for the verbose report.
	Notes []string
}
