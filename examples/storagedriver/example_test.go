package storagedriver_test

import (
	"context"
	"fmt"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// driverBackend is what a storage driver writes: its own way to mount a
// stack. This one mounts kernel overlayfs with the driver's options; a
// FUSE driver would start its daemon here (harness.NewExec does that from
// a command template), a snapshotter would call its own Mounts().
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

// Example_storageDriverBackend runs scenarios against a driver's own
// Backend. Scenarios are data: here two written inline; a driver's test
// runs every suite with suites.All() and harness.Expand(s, depth) the same
// way, after harness.RunStanding (what the stack shows with no op is left
// out of every scenario's verdict), and fails its test on any result that
// harness.Gate{}.Fails, the policy the command line uses.
func Example_storageDriverBackend() {
	kernel, err := overlay.NewOverlay("") // the driver's mount options
	if err != nil {
		panic(err)
	}
	sess, err := harness.OpenSession(context.Background(), harness.SessionOptions{
		Backend: driverBackend{kernel}, Depth: 3, Bases: fixtures.Bases(""),
	})
	if err != nil {
		fmt.Println("cannot run here:", err) // not root, no overlayfs
		return
	}
	defer sess.Close()

	scenarios := []scenario.Scenario{
		{Suite: "driver", Name: "chmod-lower-file-in-layer", Doc: "a chmod in a layer shows through",
			Steps: []scenario.Step{scenario.InLayer("a", fsop.Chmod{Path: "etc/passwd", Mode: 0o600})}},
		{Suite: "driver", Name: "rename-lower-dir", Doc: "rename(2) of a lower directory",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Rename{From: "etc/ssh", To: "etc/ssh2"})},
			Expect: []string{overlay.ExpectRenameDirEXDEV}},
	}
	harness.RunStanding(context.Background(), &sess.Config, scenarios)
	for _, s := range scenarios {
		for _, inst := range scenario.Expand(s, 3) {
			res := harness.RunScenario(context.Background(), sess.Config, inst)
			fmt.Println(res.Name, res.Verdict)
		}
	}
	// Output:
	// driver/chmod-lower-file-in-layer/layer=1 pass
	// driver/chmod-lower-file-in-layer/layer=2 pass
	// driver/rename-lower-dir xfail
}
