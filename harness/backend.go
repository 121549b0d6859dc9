package harness

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// MountSpec says what a backend mounts: read-only layers under a writable
// one, shown merged at Target.
type MountSpec struct {
	Lowers []string // read-only layers, the top one first
	Upper  string   // the writable layer
	Work   string   // a scratch directory on Upper's filesystem (empty if the backend needs none)
	Target string   // an existing, empty directory
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

// UsageError is an error in what the user asked for (exit code 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// EnvError says the environment cannot run the check (exit code 3): no
// privilege, a backend not installed.
type EnvError struct{ Msg string }

func (e *EnvError) Error() string { return e.Msg }

// NewBackend returns the backend that --backend NAME and --options OPTS name.
func NewBackend(name, opts string) (Backend, error) { return NewBackendUnmount(name, opts, "") }

// BackendNames are the backends --backend knows, besides exec:TEMPLATE.
var BackendNames = []string{"overlay", "fuse-overlayfs", "unionfs-fuse"}

// NewBackendUnmount is NewBackend with the unmount template of an
// exec:TEMPLATE backend (--unmount).
func NewBackendUnmount(name, opts, unmount string) (Backend, error) {
	if tmpl, ok := strings.CutPrefix(name, "exec:"); ok {
		if opts != "" {
			return nil, &UsageError{"--options: an exec backend takes its options in its template"}
		}
		return NewExec(tmpl, unmount)
	}
	if unmount != "" {
		return nil, &UsageError{"--unmount: only for --backend exec:TEMPLATE"}
	}
	switch name {
	case "overlay", "":
		return NewOverlay(opts)
	case "fuse-overlayfs":
		return NewFuseOverlayfs(opts)
	case "unionfs-fuse":
		return NewUnionfsFuse(opts)
	}
	known := append([]string{}, BackendNames...)
	sort.Strings(known)
	return nil, &UsageError{fmt.Sprintf("unknown backend %q (known: %s, exec:TEMPLATE)", name, strings.Join(known, ", "))}
}
