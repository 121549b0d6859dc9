package harness

import (
	"context"
	"testing"

	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// BenchmarkRunScenario measures one scenario through the whole loop at
// depth 5 on the scratch filesystem: two built layers, runtime ops, two
// snapshots of the merged view with access probes, the reference, remount.
// Compare runs as ratios on one machine (go test -bench, benchstat).
func BenchmarkRunScenario(b *testing.B) {
	if testing.Short() {
		b.Skip()
	}
	t := &testing.T{}
	o, _ := overlay.NewOverlay("")
	cfg := testConfig(t, o, 5)
	s := scenario.Scenario{Name: "bench", Suite: "b", Steps: []scenario.Step{scenario.AtLayer(1, fsop.Chmod{Path: "etc/passwd", Mode: 0o600}), scenario.AtLayer(3, fsop.WriteFile{Path: "etc/new", Data: "x", Mode: 0o644}), scenario.Runtime(fsop.Append{Path: "home/a", Data: "y"}, fsop.Remove{Path: "gone/child"})}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := RunScenario(context.Background(), cfg, s); res.Verdict == Error {
			b.Fatal(res.Reason)
		}
	}
}

// BenchmarkFloor measures the floor a scenario cannot go below at depth 5
// (MeasureFloor: mount, one walk with access probes, unmount, one copy of
// the base); BenchmarkRunScenario divided by it is the harness's overhead.
func BenchmarkFloor(b *testing.B) {
	if testing.Short() {
		b.Skip()
	}
	t := &testing.T{}
	o, _ := overlay.NewOverlay("")
	cfg := testConfig(t, o, 5)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := MeasureFloor(context.Background(), cfg, "rootfs"); err != nil {
			b.Fatal(err)
		}
	}
}
