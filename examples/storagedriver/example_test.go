package storagedriver_test

import (
	"context"
	"os"
	"testing"

	"github.com/layercheck/layercheck/frontend/driver"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/overlay"
)

// driverBackend is what a storage driver writes: its own way to mount a
// stack. This one mounts kernel overlayfs with the driver's options; a
// FUSE driver would start its daemon here, a snapshotter would call its
// own Mounts().
type driverBackend struct{ overlay *overlay.Overlay }

func (b driverBackend) Name() string    { return "example-driver" }
func (b driverBackend) Options() string { return b.overlay.Options() }

// Mount mounts spec.Lowers (top first) under spec.Upper at spec.Target and
// returns once the merged view is usable. The Mount it returns is
// unmounted exactly once, on every path out.
func (b driverBackend) Mount(ctx context.Context, spec backend.MountSpec) (backend.Mount, error) {
	return b.overlay.Mount(ctx, spec)
}

// Expectations lists only what the driver's documentation calls intended,
// each with its citation. Here: overlayfs.rst's, since the driver is
// overlayfs underneath.
func (b driverBackend) Expectations() []backend.Expectation { return b.overlay.Expectations() }

// TestMain runs the tests in a private mount namespace: nothing they mount
// can outlive them.
func TestMain(m *testing.M) { os.Exit(driver.Main(m)) }

// TestDriver runs every suite against the driver: one subtest per
// scenario, skipped with the reason where it cannot run, failed on
// findings that no documentation of the driver explains.
func TestDriver(t *testing.T) {
	kernel, err := overlay.NewOverlay("") // the driver's mount options
	if err != nil {
		t.Fatal(err)
	}
	driver.TestBackend(t, driverBackend{kernel}, driver.Depth(3), driver.Suites("permissions"))
}
