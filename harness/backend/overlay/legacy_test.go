package overlay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/internal/testenv"
)

// legacyStack makes n lower layers named name(k) beneath dir, each with a
// file of its own and a file "f" all share, and returns the spec.
func legacyStack(t *testing.T, dir string, n int, name func(int) string) backend.MountSpec {
	t.Helper()
	var lowers []string
	for k := 0; k < n; k++ {
		l := filepath.Join(dir, name(k))
		if err := os.MkdirAll(l, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(l, "f"), []byte(strconv.Itoa(k)), 0o644)
		os.WriteFile(filepath.Join(l, "only"+strconv.Itoa(k)), nil, 0o644)
		lowers = append([]string{l}, lowers...) // top first
	}
	spec := backend.MountSpec{Lowers: lowers, Upper: filepath.Join(dir, "u"), Work: filepath.Join(dir, "w"), Target: filepath.Join(dir, "m")}
	for _, d := range []string{spec.Upper, spec.Work, spec.Target} {
		os.Mkdir(d, 0o755)
	}
	return spec
}

// merged mounts spec with mount, reads the merged root's names and f, and
// unmounts.
func merged(t *testing.T, spec backend.MountSpec, mount func() (backend.Mount, error)) string {
	t.Helper()
	m, err := mount()
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	ents, rerr := os.ReadDir(spec.Target)
	f, ferr := os.ReadFile(filepath.Join(spec.Target, "f"))
	if err := m.Unmount(); err != nil {
		t.Fatal(err)
	}
	if rerr != nil || ferr != nil {
		t.Fatal(rerr, ferr)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return strings.Join(names, " ") + " f=" + string(f)
}

// TestLegacyMountEscapes: layer, upper and work paths with ':', ',' and
// spaces, in the legacy lowerdir= string, give the merged view lowerdir+
// gives (layer order included); '\' in layer names too (not compared with
// lowerdir+: overlayfs unescapes upperdir and workdir given to fsconfig).
func TestLegacyMountEscapes(t *testing.T) {
	testenv.RequireRoot(t)
	o, err := NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "top:dir,with odd names")
	spec := legacyStack(t, tmp, 4, func(k int) string { return "la:y,er " + strconv.Itoa(k) })
	spec.Upper, spec.Work = filepath.Join(tmp, "u:,"), filepath.Join(tmp, "w:,")
	os.Mkdir(spec.Upper, 0o755)
	os.Mkdir(spec.Work, 0o755)
	legacy := merged(t, spec, func() (backend.Mount, error) { return o.mountLegacy(spec) })
	os.RemoveAll(spec.Work)
	os.Mkdir(spec.Work, 0o755)
	modern := merged(t, spec, func() (backend.Mount, error) { return o.Mount(context.Background(), spec) })
	const want = "f only0 only1 only2 only3 f=3"
	if legacy != want || modern != want {
		t.Errorf("legacy lowerdir= shows %q, lowerdir+ %q, want %q", legacy, modern, want)
	}
	bs := legacyStack(t, filepath.Join(tmp, `back\slash`), 4, func(k int) string { return `l\a:y ` + strconv.Itoa(k) + `\` })
	bs.Upper, bs.Work = filepath.Join(tmp, `u\`), filepath.Join(tmp, `w\`)
	os.Mkdir(bs.Upper, 0o755)
	os.Mkdir(bs.Work, 0o755)
	if got := merged(t, bs, func() (backend.Mount, error) { return o.mountLegacy(bs) }); got != want {
		t.Errorf("legacy lowerdir= with backslashes shows %q, want %q", got, want)
	}
	if left, _ := mounts.Beneath(tmp); len(left) > 0 {
		t.Fatalf("left mounted: %v", left)
	}
}

// TestLegacyMount500Layers: the harness's 500 layers (l0..l499 of one
// scenario directory) fit the legacy string's page; layers whose names do
// not fit are refused before mount(2), saying why.
func TestLegacyMount500Layers(t *testing.T) {
	testenv.RequireRoot(t)
	o, err := NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	spec := legacyStack(t, tmp, 500, func(k int) string { return "l" + strconv.Itoa(k) })
	if got := merged(t, spec, func() (backend.Mount, error) { return o.mountLegacy(spec) }); !strings.HasSuffix(got, "f=499") {
		t.Errorf("500 legacy layers show %q, want the top layer's f=499", got)
	}
	long := legacyStack(t, filepath.Join(tmp, "long"), 300, func(k int) string { return "layer-with-a-long-name-" + strconv.Itoa(k) })
	_, err = o.mountLegacy(long)
	var me *backend.MountError
	if !errors.As(err, &me) || !strings.Contains(me.Kernel, "lowerdir+ (Linux 6.8)") {
		t.Errorf("300 long names: %v, want a MountError naming lowerdir+", err)
	}
}
