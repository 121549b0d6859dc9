package harness

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/internal/testenv"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

func requireOverlay(t *testing.T) *overlay.Overlay {
	t.Helper()
	testenv.RequireRoot(t)
	o, err := overlay.NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestOverlayMounts500Layers: 500 lowers, more than mount(2)'s option
// string can carry, mount through fsconfig and show the top layer's file
// over the bottom one's.
func TestOverlayMounts500Layers(t *testing.T) {
	o := requireOverlay(t)
	tmp := t.TempDir()
	var lowers []string
	for k := 0; k < MaxDepth; k++ {
		l := filepath.Join(tmp, "layer-with-a-long-name-"+strconv.Itoa(k))
		os.Mkdir(l, 0o755)
		lowers = append([]string{l}, lowers...) // top first
	}
	os.WriteFile(filepath.Join(lowers[len(lowers)-1], "f"), []byte("bottom"), 0o644)
	os.WriteFile(filepath.Join(lowers[0], "f"), []byte("top"), 0o644)
	spec := backend.MountSpec{Lowers: lowers, Upper: filepath.Join(tmp, "u"), Work: filepath.Join(tmp, "w"), Target: filepath.Join(tmp, "m")}
	for _, d := range []string{spec.Upper, spec.Work, spec.Target} {
		os.Mkdir(d, 0o755)
	}
	m, err := o.Mount(context.Background(), spec)
	if err != nil {
		t.Fatalf("mount 500 lowers: %v", err)
	}
	b, rerr := os.ReadFile(filepath.Join(spec.Target, "f"))
	if err := m.Unmount(); err != nil {
		t.Fatal(err)
	}
	if rerr != nil || string(b) != "top" {
		t.Fatalf("merged f = %q, %v; want the top layer's", b, rerr)
	}
	if left, _ := mounts.Beneath(tmp); len(left) > 0 {
		t.Fatalf("left mounted: %v", left)
	}
}

// TestOverlayRefusedOptionsSayWhy: options the kernel refuses come back as
// a MountError with the kernel's own message.
func TestOverlayRefusedOptionsSayWhy(t *testing.T) {
	testenv.RequireRoot(t)
	o, err := overlay.NewOverlay("metacopy=on,nfs_export=on")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	spec := backend.MountSpec{Lowers: []string{filepath.Join(tmp, "l")}, Upper: filepath.Join(tmp, "u"), Work: filepath.Join(tmp, "w"), Target: filepath.Join(tmp, "m")}
	for _, d := range []string{spec.Lowers[0], spec.Upper, spec.Work, spec.Target} {
		os.Mkdir(d, 0o755)
	}
	m, err := o.Mount(context.Background(), spec)
	if err == nil {
		m.Unmount()
		t.Fatal("metacopy=on,nfs_export=on mounted")
	}
	var me *backend.MountError
	if !errors.As(err, &me) || me.Kernel == "" {
		t.Fatalf("error %v carries no kernel message", err)
	}
	if _, err := overlay.NewOverlay("lowerdir=/x"); err == nil {
		t.Fatal("a lowerdir option was accepted")
	}
}

// dropsLayers is kernel overlay mounted wrongly on purpose: it keeps only
// the bottom lower layer. A real mount, a real bug: the harness must see it.
type dropsLayers struct{ *overlay.Overlay }

func (d dropsLayers) Mount(ctx context.Context, s backend.MountSpec) (backend.Mount, error) {
	s.Lowers = s.Lowers[len(s.Lowers)-1:]
	return d.Overlay.Mount(ctx, s)
}

func testConfig(t *testing.T, b backend.Backend, depth int) Config {
	t.Helper()
	tmp := t.TempDir()
	base := &scenario.Base{Name: "rootfs", Dir: filepath.Join(tmp, "base"), Identities: []fsop.Identity{fsop.Root, {Name: "user", UID: 1000, GID: 1000}}}
	testenv.Build(t, base.Dir, testenv.BaseOps...)
	if err := base.Seal(); err != nil {
		t.Fatal(err)
	}
	scratch := filepath.Join(tmp, "scratch")
	os.Mkdir(scratch, 0o755)
	return Config{Backend: b, Depth: depth, Scratch: scratch, Bases: map[string]*scenario.Base{"rootfs": base}}
}

// TestRunCatchesALostLayer: a backend that loses a layer fails the
// scenario with the mode the lost layer carried, and leaves nothing behind.
func TestRunCatchesALostLayer(t *testing.T) {
	o := requireOverlay(t)
	cfg := testConfig(t, dropsLayers{o}, 3)
	s := scenario.Scenario{Name: "chmod", Suite: "t", Steps: []scenario.Step{scenario.AtLayer(2, fsop.Chmod{Path: "etc/passwd", Mode: 0o600})}}
	res := RunScenario(context.Background(), cfg, s)
	if res.Verdict != Fail {
		t.Fatalf("verdict %s (%s), want fail", res.Verdict, res.Reason)
	}
	found := false
	for _, f := range res.Findings {
		if f.Path == "etc/passwd" && f.Kind == snapshot.KindMode && f.Reference == "0600" && f.Merged == "0644" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no mode finding for etc/passwd: %v", res.Findings)
	}
	ents, _ := os.ReadDir(cfg.Scratch)
	if len(ents) != 0 {
		t.Fatalf("scratch not cleaned: %v", ents)
	}
}

// TestRunSeedCaseIsCitedXFail: the offline chmod of a copied-up directory
// is masked, reported as the documented deviation, naming the path.
func TestRunSeedCaseIsCitedXFail(t *testing.T) {
	o := requireOverlay(t)
	cfg := testConfig(t, o, 2)
	s := scenario.Scenario{Name: "seed", Suite: "t", Expect: []string{overlay.ExpectMergedDirMeta}, Steps: []scenario.Step{scenario.Runtime(fsop.WriteFile{Path: "etc/new", Data: "x", Mode: 0o644}), scenario.OfflineAt(0, fsop.Chmod{Path: "etc", Mode: 0o700}, fsop.Chown{Path: "etc", UID: 1000, GID: 1000})}}
	res := RunScenario(context.Background(), cfg, s)
	if res.Verdict != XFail {
		t.Fatalf("verdict %s (%s): %v", res.Verdict, res.Reason, res.Findings)
	}
	for _, f := range res.Findings {
		if f.Path == "etc" && f.Kind == snapshot.KindMode {
			if !strings.Contains(f.ExpectedBy, "overlayfs.rst") || f.Reference != "0700" || f.Merged != "0755" {
				t.Fatalf("finding %+v", f)
			}
			return
		}
	}
	t.Fatalf("no mode finding naming etc: %v", res.Findings)
}

// TestRunRenameDirRedirect: EXDEV is the documented outcome without
// redirect_dir, and with redirect_dir=on the rename works and passes.
func TestRunRenameDirRedirect(t *testing.T) {
	testenv.RequireRoot(t)
	s := scenario.Scenario{Name: "mv", Suite: "t", Expect: []string{overlay.ExpectRenameDirEXDEV}, Steps: []scenario.Step{scenario.Runtime(fsop.Rename{From: "etc", To: "etc2"})}}
	for opts, want := range map[string]Verdict{"redirect_dir=off": XFail, "redirect_dir=on": Pass} {
		o, _ := overlay.NewOverlay(opts)
		res := RunScenario(context.Background(), testConfig(t, o, 2), s)
		if res.Verdict != want {
			t.Errorf("%s: verdict %s, want %s: %v", opts, res.Verdict, want, res.Findings)
		}
	}
}

// writesLower is kernel overlay with a bug on purpose: each mount also
// changes a file of its top read-only layer, as a buggy copy-up might.
type writesLower struct{ *overlay.Overlay }

func (w writesLower) Mount(ctx context.Context, s backend.MountSpec) (backend.Mount, error) {
	m, err := w.Overlay.Mount(ctx, s)
	if err == nil {
		os.Chmod(filepath.Join(s.Lowers[len(s.Lowers)-1], "etc", "passwd"), 0o666)
	}
	return m, err
}

// TestRunCatchesAModifiedLower: a read-only layer changed while mounted is
// a lower-modified finding, even on the shared base that every scenario
// uses (checked by stamps first, then described by a snapshot).
func TestRunCatchesAModifiedLower(t *testing.T) {
	o := requireOverlay(t)
	cfg := testConfig(t, writesLower{o}, 2)
	res := RunScenario(context.Background(), cfg, scenario.Scenario{Name: "lm", Suite: "t", Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: "etc/shadow", Mode: 0o600})}})
	for _, f := range res.Findings {
		if f.Kind == snapshot.KindLowerModified && strings.Contains(f.Path, "etc/passwd") && f.Merged == "0666" {
			return
		}
	}
	t.Fatalf("verdict %s, findings %v: no lower-modified finding for etc/passwd", res.Verdict, res.Findings)
}

// TestOfflineChangesUndefinedWithIndex: overlayfs.rst leaves offline lower
// changes undefined once index or redirect_dir was used; such scenarios
// skip with the citation, and run under the defaults.
func TestOfflineChangesUndefinedWithIndex(t *testing.T) {
	s := scenario.Scenario{Steps: []scenario.Step{scenario.Runtime(fsop.WriteFile{Path: "a", Mode: 0o644}), scenario.OfflineAt(0, fsop.Chmod{Path: "etc", Mode: 0o700})}}
	on, _ := overlay.NewOverlay("redirect_dir=on,index=on")
	if why := on.SkipReason(s); !strings.Contains(why, "Changes to underlying filesystems") || !strings.Contains(why, "index") {
		t.Errorf("with index=on: %q", why)
	}
	off, _ := overlay.NewOverlay("redirect_dir=off,index=off,metacopy=off,xino=off")
	if why := off.SkipReason(s); why != "" {
		t.Errorf("with the features off: %q", why)
	}
	if why := on.SkipReason(scenario.Scenario{Steps: []scenario.Step{scenario.OfflineAt(scenario.Upper, fsop.Chmod{Path: "a", Mode: 0o600})}}); why != "" {
		t.Errorf("offline change of the upper (allowed): %q", why)
	}
}
