// Package sandbox is where a run lives: a private mount namespace (so no
// mount outlives the run, whatever ends it), the rootless user namespace,
// the scratch directory on a fresh tmpfs, and the cleanup of what a killed
// run left (its directories and the FUSE daemons it recorded). The library
// never exits the process: re-executing returns a *ChildExit for the
// caller to exit with.
package sandbox
