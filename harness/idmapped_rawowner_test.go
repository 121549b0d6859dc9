package harness

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend/control"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// rawOwnerScenario gives a layer-0 file host owner 7 (outside the default
// mapping) on the raw side and chmods it at runtime.
var rawOwnerScenario = scenario.Scenario{Name: "raw-owner", Suite: "t", Steps: []scenario.Step{
	scenario.AtLayer(0, fsop.WriteFile{Path: "home/u", Data: "u", Mode: 0o644}, fsop.RawLchown{Path: "home/u", HostUID: 7, HostGID: 7}),
	scenario.Runtime(fsop.Chmod{Path: "home/u", Mode: 0o600}),
}}

// TestRawLchownStoresHostID: on a tree seen through the mapping the op
// stores the host id itself on disk, which the mapped view shows as the
// overflow id; a tree seen through no mapping has no raw side.
func TestRawLchownStoresHostID(t *testing.T) {
	cfg := idmapConfig(t, idmap.All, 2)
	dir := filepath.Join(cfg.Scratch, "tree")
	if err := os.MkdirAll(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	tr, err := fsop.OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	cfg.idmapRawTree(tr)
	if out := fsop.Apply(tr, fsop.RawLchown{Path: "d", HostUID: 7, HostGID: 8}); out != fsop.OK {
		t.Fatalf("raw-lchown: %s", out)
	}
	var raw, shown unix.Stat_t
	if err := errors.Join(unix.Lstat(filepath.Join(cfg.Idmap.RawPath(dir), "d"), &raw), unix.Lstat(filepath.Join(dir, "d"), &shown)); err != nil {
		t.Fatal(err)
	}
	if raw.Uid != 7 || raw.Gid != 8 || shown.Uid != 65534 || shown.Gid != 65534 {
		t.Errorf("on disk %d:%d (want 7:8), through the mapping %d:%d (want 65534:65534)", raw.Uid, raw.Gid, shown.Uid, shown.Gid)
	}
	plain, err := fsop.OpenTree(cfg.Idmap.RawPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	cfg.idmapRawTree(plain) // not in the mapped view: no raw side
	if out := fsop.Apply(plain, fsop.RawLchown{Path: "d", HostUID: 9, HostGID: 9}); out != fsop.OutcomeOf(fsop.ErrNoRawSide) {
		t.Errorf("raw-lchown on a tree seen through no mapping: %s", out)
	}
}

// TestRawOwnerScenario: under --idmap all the stack (kernel overlay, and
// the control backend) and the reference show the unmapped owner alike
// (pass, the chmod refused on both sides);
// the same layers mounted without the mapping show the host id and let
// the chmod through (owner and errno findings: the check can fail); other
// selections and no mapping skip with the reason.
func TestRawOwnerScenario(t *testing.T) {
	cfg := idmapConfig(t, idmap.All, 2)
	res := RunScenario(context.Background(), cfg, rawOwnerScenario)
	if res.Verdict != Pass {
		t.Fatalf("--idmap all: verdict %s (%s): %v", res.Verdict, res.Reason, res.Findings)
	}
	if n := len(res.Ops); n == 0 || res.Ops[n-1].Merged != "EOVERFLOW" {
		t.Errorf("--idmap all: the chmod of the unmapped owner's file: %v, want EOVERFLOW on both sides", res.Ops)
	}

	// The control backend copies the layers raw to raw into its target
	// (backend.InPlacer): the same view as a plain directory, no finding.
	ctl := cfg
	ctl.Backend = control.New()
	if res := RunScenario(context.Background(), ctl, rawOwnerScenario); res.Verdict != Pass {
		t.Errorf("--idmap all, control: verdict %s (%s): %v", res.Verdict, res.Reason, res.Findings)
	}
	// Copied through the mapping instead, the unmapped owner becomes the
	// overflow id stored as a real one, which root may chmod: findings.
	ctl.Backend = copyThrough{control.New()}
	if res := RunScenario(context.Background(), ctl, rawOwnerScenario); res.Verdict != Fail {
		t.Errorf("--idmap all, control copying through the mapping: verdict %s (%s), want fail", res.Verdict, res.Reason)
	}

	cfg.idmapUnmapped, cfg.NoCommitCheck = true, true
	res = RunScenario(context.Background(), cfg, rawOwnerScenario)
	kinds := map[snapshot.Kind]bool{}
	for _, f := range res.Findings {
		kinds[f.Kind] = true
	}
	if res.Verdict != Fail || !kinds[snapshot.KindOwner] || !kinds[snapshot.KindErrno] {
		t.Errorf("layers without the mapping: verdict %s (%s), findings %v: want owner and errno findings", res.Verdict, res.Reason, res.Findings)
	}

	for _, c := range []Config{{Depth: 2}, {Depth: 2, Idmap: cfg.Idmap, IdmapLayers: idmap.Lowers}, {Depth: 2, Idmap: cfg.Idmap, IdmapLayers: idmap.Upper}} {
		if why := c.idmapRawOwnerSkip(rawOwnerScenario); !strings.Contains(why, "--idmap all only") {
			t.Errorf("--idmap %q: skip reason %q", c.IdmapLayers, why)
		}
	}
	inLayer1 := scenario.Scenario{Steps: []scenario.Step{scenario.AtLayer(1, fsop.RawLchown{Path: "x", HostUID: 7, HostGID: 7})}}
	if why := cfg.idmapRawOwnerSkip(inLayer1); why == "" {
		t.Error("a raw owner in a built layer did not skip")
	}
}

// copyThrough is the control backend made to copy its layers through the
// mapping (not backend.InPlacer).
type copyThrough struct{ *control.Control }

func (copyThrough) WritesInPlace() bool { return false }
