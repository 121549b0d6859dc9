package harness

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/fuseoverlayfs"
	"github.com/layercheck/layercheck/harness/commit"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/internal/testenv"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// idmapConfig is testConfig with the base and the scratch in a mapped
// view (the default mapping) of a fresh directory.
func idmapConfig(t *testing.T, layers idmap.Layers, depth int) Config {
	t.Helper()
	o := requireOverlay(t)
	ns, err := idmap.NewUserns(idmap.Default)
	if err != nil {
		t.Fatal(err)
	}
	v, err := idmap.NewView(ns, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := v.Close(); err != nil {
			t.Error(err)
		}
	})
	// With the upper alone mapped the base and the scenarios lie on the
	// raw side, as the session puts them (Session.layersRoot).
	root := v.Mapped
	if !layers.MapsLowers() {
		root = v.Raw
	}
	base := &scenario.Base{Name: "rootfs", Dir: filepath.Join(root, "base"), Identities: []fsop.Identity{fsop.Root, {Name: "user", UID: 1000, GID: 1000}}}
	testenv.Build(t, base.Dir, testenv.BaseOps...)
	if err := os.Lchown(filepath.Join(base.Dir, "home/a"), 1000, 1000); err != nil {
		t.Fatal(err)
	}
	if err := base.Seal(); err != nil {
		t.Fatal(err)
	}
	scratch := filepath.Join(root, "scratch")
	os.Mkdir(scratch, 0o755)
	return Config{Backend: o, Depth: depth, Scratch: scratch, Bases: map[string]*scenario.Base{"rootfs": base},
		Idmap: v, IdmapLayers: layers}
}

var idmapChown = scenario.Scenario{Name: "idmap-chown", Suite: "t", Steps: []scenario.Step{
	scenario.AtLayer(1, fsop.Chown{Path: "etc/passwd", UID: 1000, GID: 1000}),
	scenario.Runtime(fsop.Chown{Path: "etc/shadow", UID: 2000, GID: 2000}, fsop.WriteFile{Path: "home/new", Data: "n", Mode: 0o644}),
}}

// TestIdmapRunPasses: kernel overlay with idmapped layers shows what a
// plain directory shows through the same mapping, for each selection, and
// leaves nothing mounted.
func TestIdmapRunPasses(t *testing.T) {
	for _, layers := range []idmap.Layers{idmap.Lowers, idmap.Upper, idmap.All} {
		cfg := idmapConfig(t, layers, 3)
		res := RunScenario(context.Background(), cfg, idmapChown)
		if res.Verdict != Pass {
			t.Errorf("--idmap %s: verdict %s (%s): %v", layers, res.Verdict, res.Reason, res.Findings)
		}
		if left, _ := mounts.Beneath(cfg.Idmap.Raw); len(left) > 1 {
			t.Errorf("--idmap %s: left mounted: %v", layers, left)
		}
	}
}

// TestIdmapCheckCanFail: the same stack mounted without the mapping, or a
// reference made from the raw (host-id) base, gives owner findings: the
// mapping is what makes the run pass.
func TestIdmapCheckCanFail(t *testing.T) {
	for name, breakIt := range map[string]func(*Config){
		"layers without the mapping":    func(c *Config) { c.idmapUnmapped = true },
		"reference without the mapping": func(c *Config) { c.idmapRawReference, c.FullReference = true, true },
	} {
		cfg := idmapConfig(t, idmap.All, 3)
		breakIt(&cfg)
		cfg.NoCommitCheck = true // to the end: the commit check reads the upper the mapping wrote
		res := RunScenario(context.Background(), cfg, idmapChown)
		owner := 0
		for _, f := range res.Findings {
			if f.Kind == snapshot.KindOwner {
				owner++
			}
		}
		if res.Verdict != Fail || owner == 0 {
			t.Errorf("%s: verdict %s (%s) with %d owner findings, want fail with owners: %v", name, res.Verdict, res.Reason, owner, res.Findings)
		}
	}
}

// TestIdmapFuseOverlayfsOwnMapping: fuse-overlayfs given the raw layers and
// its own mapping (backend.IdMapper) shows the owners a plain directory
// shows through the mapping; the same raw layers without its mapping
// show host ids: owner findings.
func TestIdmapFuseOverlayfsOwnMapping(t *testing.T) {
	fo := fuseOverlayfs(t)
	mapped, err := fo.WithIdmap(true, true, idRanges(idmap.Default.UID), idRanges(idmap.Default.GID))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []backend.Backend{mapped, fo} {
		cfg := idmapConfig(t, idmap.All, 3)
		cfg.Backend, cfg.idmapByBackend = b, true
		cfg.NoCommitCheck = b != mapped // unmapped, to the end: the commit check reads what the mapping wrote
		res := RunScenario(context.Background(), cfg, idmapChown)
		owner := 0
		for _, f := range res.Findings {
			if f.Kind == snapshot.KindOwner {
				owner++
			}
		}
		if res.Verdict == Error || (b == mapped) != (owner == 0) {
			t.Errorf("options %q: verdict %s (%s), %d owner findings: %v", b.(*fuseoverlayfs.FuseOverlayfs).Options(), res.Verdict, res.Reason, owner, res.Findings)
		}
		if left, _ := mounts.Beneath(cfg.Idmap.Raw); len(left) > 1 {
			t.Errorf("left mounted: %v", left)
		}
	}
}

// TestUnmappedCopyFinding: a copy through the mapping that cannot read a
// file owned on disk by an id outside the mapping is a finding on that
// file; the same refusal on a mapped owner's file, or another error, is
// not one.
func TestUnmappedCopyFinding(t *testing.T) {
	cfg := idmapConfig(t, idmap.All, 1)
	r := &scenarioRun{cfg: cfg}
	src := filepath.Join(cfg.Idmap.Raw, "copy-src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]int{"d/.wh..wh..opq": 0, "mine": 100000} {
		p := filepath.Join(src, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o700); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, 0o700)
		if err := os.Lchown(p, id, id); err != nil {
			t.Fatal(err)
		}
	}
	os.Lchown(src, 100000, 100000)
	os.Lchown(filepath.Join(src, "d"), 100000, 100000)
	mapped := cfg.Idmap.MappedPath(src)
	err := fsop.CopyTree(mapped, filepath.Join(t.TempDir(), "copy"))
	f, ok := r.unmappedCopyFinding(err)
	if !ok || f.Path != "d/.wh..wh..opq" || f.Kind != snapshot.KindPersistence {
		t.Fatalf("copy error %v: finding %+v, %v; want one on d/.wh..wh..opq", err, f, ok)
	}
	if _, ok := r.unmappedCopyFinding(&fsop.CopyError{Dir: mapped, Rel: "mine", Err: unix.EACCES}); ok {
		t.Error("a refusal on a mapped owner's file became a finding")
	}
	if _, ok := r.unmappedCopyFinding(&fsop.CopyError{Dir: mapped, Rel: "d/.wh..wh..opq", Err: unix.EIO}); ok {
		t.Error("another error became a finding")
	}
}

// TestCommitOfUnmappedOwnerIsAFinding: a committer reading, through the
// mapping, an upper that holds a file owned on disk outside the mapping
// is refused; the commit check reports that file as a finding, makes no
// later commit check of the scenario, and any other failure of it stays
// an error.
func TestCommitOfUnmappedOwnerIsAFinding(t *testing.T) {
	cfg := idmapConfig(t, idmap.All, 1)
	upper := filepath.Join(cfg.Idmap.Raw, "upper")
	if err := os.MkdirAll(filepath.Join(upper, "srv"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(upper, "srv", "unmapped")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{upper, filepath.Dir(p)} {
		os.Lchown(q, 100000, 100000)
	}
	if err := os.Lchown(p, 7, 7); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err := commit.Write(&buf, cfg.Idmap.MappedPath(upper), nil, commit.Overlay)
	r := &scenarioRun{cfg: cfg}
	if got := r.commitUnreadable("runtime", err); got != nil || len(r.findings) != 1 || r.findings[0].Path != "srv/unmapped" || !r.commit.unreadable {
		t.Fatalf("commit error %v: returned %v, findings %+v; want one finding on srv/unmapped", err, got, r.findings)
	}
	if err := r.commitCheck("runtime", 0, commit.Overlay, nil, nil); err != nil || len(r.findings) != 1 {
		t.Errorf("a commit check after an unreadable layer: %v, findings %v; want nothing", err, r.findings)
	}
	other := &scenarioRun{cfg: cfg}
	if got := other.commitUnreadable("runtime", &fsop.CopyError{Dir: cfg.Idmap.MappedPath(upper), Rel: "srv/unmapped", Err: unix.EIO}); got == nil {
		t.Error("another error of the commit check became a finding")
	}
}
