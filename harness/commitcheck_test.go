package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/internal/testenv"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// commitFixture mounts kernel overlay over a lower made of testenv.BaseOps,
// writes etc/new through the merged view, snapshots the view and the
// reference (the same ops on a plain copy), and unmounts: a runtime phase
// in small, for the commit check to read the upper of.
func commitFixture(t *testing.T) (r *scenarioRun, ref, merged *snapshot.Snapshot) {
	t.Helper()
	o := requireOverlay(t)
	tmp := t.TempDir()
	lower, refDir := filepath.Join(tmp, "l0"), filepath.Join(tmp, "ref")
	add := fsop.WriteFile{Path: "etc/new", Data: "n", Mode: 0o644}
	testenv.Build(t, lower, testenv.BaseOps...)
	testenv.Build(t, refDir, append(testenv.BaseOps, add)...)
	spec := backend.MountSpec{Lowers: []string{lower}, Upper: filepath.Join(tmp, "u"), Work: filepath.Join(tmp, "w"), Target: filepath.Join(tmp, "m")}
	for _, d := range []string{spec.Upper, spec.Work, spec.Target} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m, err := o.Mount(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if left, _ := mounts.Beneath(tmp); len(left) > 0 {
			t.Errorf("left mounted: %v", left)
		}
	}()
	testenv.Build(t, spec.Target, add)
	merged, err = snapshot.TakeSnapshot(spec.Target, snapshot.SnapshotOptions{})
	if uerr := m.Unmount(); err == nil {
		err = uerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if ref, err = snapshot.TakeSnapshot(refDir, snapshot.SnapshotOptions{}); err != nil {
		t.Fatal(err)
	}
	r = &scenarioRun{cfg: Config{Backend: o}, s: scenario.Scenario{Suite: "t", Name: "commit"}, ctx: context.Background(),
		dir: tmp, layers: []string{lower}, upper: spec.Upper}
	return r, ref, merged
}

// TestCommitCheckCatchesAnOpaqueMarkTheViewDidNotShow: an upper whose
// directory carries an opaque mark that the merged view never showed (as
// a failed rename leaves one, overlay/failed-rename-leaves-opaque) commits
// as a layer that deletes the lower's children: the check says so, per
// path, and says nothing for the same upper without the mark.
func TestCommitCheckCatchesAnOpaqueMarkTheViewDidNotShow(t *testing.T) {
	r, ref, merged := commitFixture(t)
	if err := checkCommit(r, commitInput{runtime: views{ref: ref, merged: merged}}); err != nil {
		t.Fatal(err)
	}
	if len(r.findings) != 0 {
		t.Fatalf("an honest upper gave commit findings: %v", r.findings)
	}

	r, ref, merged = commitFixture(t)
	if err := unix.Setxattr(filepath.Join(r.upper, "etc"), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		t.Fatal(err)
	}
	if err := checkCommit(r, commitInput{runtime: views{ref: ref, merged: merged}}); err != nil {
		t.Fatal(err)
	}
	got := map[string]snapshot.Finding{}
	for _, f := range r.findings {
		got[f.Path] = f
	}
	for _, p := range []string{"etc/passwd", "etc/shadow"} {
		f, ok := got[p]
		if !ok || f.Kind != snapshot.KindCommit || f.Reference != "file" || f.Merged != "absent" || f.Stage != "runtime" {
			t.Errorf("%s: want a commit finding (merged view: file, layer: absent), got %+v", p, f)
		}
	}
	if len(got) != 2 {
		t.Errorf("want exactly the two hidden children, got %v", r.findings)
	}
	t.Log(r.findings[0].String())
}
