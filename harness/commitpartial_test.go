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

// partialFixture is commitFixture over a shared base (the run's base
// directory, sealed), with a reference of the one subtree the op reaches
// (etc/sub, below etc): the commit check's image is then a link farm of
// that subtree only. opaque plants an opaque mark on the upper's etc,
// above the subtree, as a failed rename can leave one.
func partialFixture(t *testing.T, opaque bool) (r *scenarioRun, ref, merged *snapshot.Snapshot) {
	t.Helper()
	o := requireOverlay(t)
	tmp := t.TempDir()
	t.Cleanup(func() { forgetBaseImages(tmp) })
	lower, refDir := filepath.Join(tmp, "l0"), filepath.Join(tmp, "ref")
	sub := []fsop.Op{fsop.Mkdir{Path: "etc/sub", Mode: 0o755}, fsop.WriteFile{Path: "etc/sub/x", Data: "x", Mode: 0o644}}
	add := fsop.WriteFile{Path: "etc/sub/new", Data: "n", Mode: 0o644}
	testenv.Build(t, lower, append(testenv.BaseOps, sub...)...)
	testenv.Build(t, refDir, append(append(testenv.BaseOps, sub...), add)...)
	base := &scenario.Base{Dir: lower}
	if err := base.Seal(); err != nil {
		t.Fatal(err)
	}
	spec := backend.MountSpec{Lowers: []string{lower}, Upper: filepath.Join(tmp, "u"), Work: filepath.Join(tmp, "w"), Target: filepath.Join(tmp, "m")}
	for _, d := range []string{spec.Upper, spec.Work, spec.Target, filepath.Join(tmp, "scenarios")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m, err := o.Mount(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Build(t, spec.Target, add)
	merged, err = snapshot.TakeSnapshot(spec.Target, snapshot.SnapshotOptions{})
	if uerr := m.Unmount(); err == nil {
		err = uerr
	}
	if left, _ := mounts.Beneath(tmp); len(left) > 0 {
		t.Fatalf("left mounted: %v", left)
	}
	if err != nil {
		t.Fatal(err)
	}
	if ref, err = snapshot.TakeSnapshot(refDir, snapshot.SnapshotOptions{}); err != nil {
		t.Fatal(err)
	}
	if opaque {
		if err := unix.Setxattr(filepath.Join(spec.Upper, "etc"), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
			t.Fatal(err)
		}
	}
	r = &scenarioRun{cfg: Config{Backend: o, Scratch: filepath.Join(tmp, "scenarios")}, s: scenario.Scenario{Suite: "t", Name: "partial"},
		ctx: context.Background(), dir: tmp, layers: []string{lower}, upper: spec.Upper, base: base,
		refUnits: []string{"etc/sub"}, refAbove: map[string]bool{".": true, "etc": true}}
	return r, ref, merged
}

// TestPartialImageIsTheWholeImage: the commit check on an image that holds
// only the subtree the op reaches finds nothing on an honest upper and
// keeps the image partial; an opaque mark above the subtree, which would
// remove what the partial image left out, makes the image whole first, so
// the check still finds the hidden children (etc/passwd, etc/shadow), as
// on a whole image (--full-compare).
func TestPartialImageIsTheWholeImage(t *testing.T) {
	r, ref, merged := partialFixture(t, false)
	if err := checkCommit(r, commitInput{runtime: views{ref: ref, merged: merged}}); err != nil {
		t.Fatal(err)
	}
	if len(r.findings) != 0 || r.commit.partial == "" {
		t.Fatalf("honest upper: findings %v, image partial %q (want none, partial)", r.findings, r.commit.partial)
	}
	if _, err := os.Lstat(filepath.Join(r.commit.image, "home")); err == nil {
		t.Errorf("the partial image holds home, which no op reaches")
	}
	for _, full := range []bool{false, true} {
		r, ref, merged = partialFixture(t, true)
		r.cfg.FullCompare = full
		if err := checkCommit(r, commitInput{runtime: views{ref: ref, merged: merged}}); err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, f := range r.findings {
			if f.Kind == snapshot.KindCommit && f.Merged == "absent" {
				got[f.Path] = true
			}
		}
		if !got["etc/passwd"] || !got["etc/shadow"] || r.commit.partial != "" {
			t.Errorf("full-compare %v, opaque etc: want etc/passwd and etc/shadow absent from a whole image, got %v (partial %q)", full, r.findings, r.commit.partial)
		}
	}
}
