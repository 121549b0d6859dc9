package harness

import (
	"context"
	"testing"
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
	o, _ := NewOverlay("")
	cfg := testConfig(t, o, 5)
	s := Scenario{Name: "bench", Suite: "b", Steps: []Step{
		AtLayer(1, Chmod{Path: "etc/passwd", Mode: 0o600}),
		AtLayer(3, WriteFile{Path: "etc/new", Data: "x", Mode: 0o644}),
		Runtime(Append{Path: "home/a", Data: "y"}, Remove{Path: "gone/child"}),
	}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := RunScenario(context.Background(), cfg, s); res.Verdict == Error {
			b.Fatal(res.Reason)
		}
	}
}
