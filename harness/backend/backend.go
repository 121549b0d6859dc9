package backend

import (
	"context"
)

// MountSpec says what a backend mounts: read-only layers under a writable
// one, shown merged at Target.
type MountSpec struct {
	Lowers []string // read-only layers, the top one first
	Upper  string   // the writable layer
	Work   string   // a scratch directory on Upper's filesystem (empty if the backend needs none)
	Target string   // an existing, empty directory
	// Data are data-only lower layers (overlayfs.rst, "Data-only lower
	// layers"), below every lower: only the kernel overlay backend takes
	// them ("datadir+"); the harness skips other backends where a layout
	// sets them.
	Data []string
}

// Mount is a live mount made by a Backend.
type Mount interface {
	// Unmount takes the mount down. It is called exactly once, on every
	// path out, and must leave nothing mounted and no process behind.
	Unmount() error
}

// Backend mounts a layered filesystem. Implementations live in this
// package, one file each, or in a user's own code (a storage driver's
// tests): the suites only need this interface.
type Backend interface {
	// Name is what --backend selects, with the options it was given:
	// "overlay", "fuse-overlayfs".
	Name() string
	// Options is the mount option string in use ("" for the defaults).
	Options() string
	// Mount mounts spec. It returns once the merged view is usable.
	Mount(ctx context.Context, spec MountSpec) (Mount, error)
	// Expectations lists the documented deviations of this backend with
	// its options; the suites turn matching findings into xfails.
	Expectations() []Expectation
}
