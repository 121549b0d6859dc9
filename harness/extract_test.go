package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/testenv"
	"github.com/layercheck/layercheck/harness/layerdiff"
	"golang.org/x/sys/unix"
)

// extractFixture applies before to a fresh reference, then after, and
// writes the difference as a layer in format f. It returns the layer.
func extractFixture(t *testing.T, f backend.WhiteoutFormat, before, after []fsop.Op) string {
	t.Helper()
	tmp := t.TempDir()
	refDir, layer := filepath.Join(tmp, "ref"), filepath.Join(tmp, "layer")
	for _, d := range []string{refDir, layer} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ref, err := fsop.OpenTree(refDir)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	apply := func(ops []fsop.Op) {
		for _, op := range ops {
			if out := fsop.Apply(ref, op); out != fsop.OK {
				t.Fatalf("%s: %s", op.Shell(), out)
			}
		}
	}
	apply(before)
	prev, err := layerdiff.Read(refDir)
	if err != nil {
		t.Fatal(err)
	}
	apply(after)
	cur, err := layerdiff.Read(refDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := layerdiff.Between(prev, cur).WriteTo(refDir, layer, f); err != nil {
		t.Fatal(err)
	}
	return layer
}

var extractBefore = []fsop.Op{fsop.Mkdir{Path: "d", Mode: 0o755}, fsop.WriteFile{Path: "d/a", Data: "a", Mode: 0o644}, fsop.WriteFile{Path: "d/b", Data: "b", Mode: 0o644}, fsop.Link{Old: "d/a", New: "d/a2"}, fsop.Mkdir{Path: "e", Mode: 0o755}, fsop.WriteFile{Path: "e/x", Data: "x", Mode: 0o644}, fsop.WriteFile{Path: "f", Data: "f", Mode: 0o644}, fsop.WriteFile{Path: "same", Data: "s", Mode: 0o644}}

var extractAfter = []fsop.Op{fsop.Remove{Path: "d/b"}, fsop.RemoveAll{ // a whiteout in a merged directory
	Path: "e"}, fsop.Mkdir{Path: "e", Mode: 0o750}, fsop.      // another directory: opaque
	WriteFile{Path: "e/y", Data: "y", Mode: 0o644}, fsop.Link{ // its new child
	Old: "d/a", New: "g"}, fsop.Chmod{ // a new name of a lower inode
	Path: "f", Mode: 0o600}, fsop.SetXattr{ // changed attributes
	Path: "f", Name: "trusted.overlay.foo", Value: "user"}, fsop.Remove{ // a name in overlay's namespace
	Path: "same"}, fsop.WriteFile{Path: "same", Data: "s", Mode: 0o644}, // recreated identical
}

// TestExtractWritesOverlayLayer: the extract builder writes what an image
// extractor writes for overlayfs: a 0/0 whiteout for a deleted name, an
// opaque directory for one made again, every name of a written inode as
// one inode, changed attributes, a user's overlay xattr escaped, and
// nothing for an entry that did not change.
func TestExtractWritesOverlayLayer(t *testing.T) {
	testenv.RequireRoot(t)
	layer := extractFixture(t, &overlay.OverlayFormat{Prefix: "trusted.overlay."}, extractBefore, extractAfter)
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(layer, "d/b"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("d/b: want a 0/0 character device, got mode %o rdev %d (%v)", st.Mode, st.Rdev, err)
	}
	if v := xattr(t, filepath.Join(layer, "e"), "trusted.overlay.opaque"); v != "y" {
		t.Errorf("e: opaque = %q, want y", v)
	}
	for _, p := range []string{"e/y", "f", "g", "d/a", "d/a2"} {
		if _, err := os.Lstat(filepath.Join(layer, p)); err != nil {
			t.Errorf("%s: not written: %v", p, err)
		}
	}
	for _, p := range []string{"e/x", "same", "d/b/x"} {
		if _, err := os.Lstat(filepath.Join(layer, p)); err == nil {
			t.Errorf("%s: written, want nothing", p)
		}
	}
	var a, g unix.Stat_t
	unix.Lstat(filepath.Join(layer, "d/a"), &a)
	unix.Lstat(filepath.Join(layer, "g"), &g)
	if a.Ino != g.Ino || a.Nlink != 3 {
		t.Errorf("d/a and g: inodes %d, %d, nlink %d; want one inode of 3 names", a.Ino, g.Ino, a.Nlink)
	}
	if fi, err := os.Lstat(filepath.Join(layer, "f")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("f: mode %v (%v), want 0600", fi.Mode(), err)
	}
	if v := xattr(t, filepath.Join(layer, "f"), "trusted.overlay.overlay.foo"); v != "user" {
		t.Errorf("f: escaped xattr = %q, want user", v)
	}
}

// TestExtractXattrWhiteouts: the xattr form is a zero-size file with
// overlay.whiteout, its directory marked opaque "x".
func TestExtractXattrWhiteouts(t *testing.T) {
	testenv.RequireRoot(t)
	layer := extractFixture(t, &overlay.OverlayFormat{Prefix: "trusted.overlay.", Xattr: true}, extractBefore, extractAfter)
	fi, err := os.Lstat(filepath.Join(layer, "d/b"))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != 0 {
		t.Fatalf("d/b: want a zero-size file, got %v (%v)", fi, err)
	}
	if _, err := unix.Lgetxattr(filepath.Join(layer, "d/b"), "trusted.overlay.whiteout", nil); err != nil {
		t.Errorf("d/b: no trusted.overlay.whiteout: %v", err)
	}
	if v := xattr(t, filepath.Join(layer, "d"), "trusted.overlay.opaque"); v != "x" {
		t.Errorf("d: opaque = %q, want x", v)
	}
}

// TestExtractedLayerMounts: an extracted layer over its base shows the
// reference (both whiteout forms), the end-to-end check in small.
func TestExtractedLayerMounts(t *testing.T) {
	o := requireOverlay(t)
	for _, variant := range []string{"", "xattr"} {
		f, err := o.WhiteoutFormat(variant)
		if err != nil {
			t.Fatal(err)
		}
		tmp := t.TempDir()
		base := filepath.Join(tmp, "base")
		os.Mkdir(base, 0o755)
		bt, _ := fsop.OpenTree(base)
		for _, op := range extractBefore {
			fsop.Apply(bt, op)
		}
		bt.Close()
		layer := extractFixture(t, f, extractBefore, extractAfter)
		spec := backend.MountSpec{Lowers: []string{layer, base}, Upper: filepath.Join(tmp, "u"), Work: filepath.Join(tmp, "w"), Target: filepath.Join(tmp, "m")}
		for _, d := range []string{spec.Upper, spec.Work, spec.Target} {
			os.Mkdir(d, 0o755)
		}
		m, err := o.Mount(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		filepath.WalkDir(spec.Target, func(p string, d os.DirEntry, err error) error {
			rel, _ := filepath.Rel(spec.Target, p)
			names = append(names, rel)
			return nil
		})
		if err := m.Unmount(); err != nil {
			t.Fatal(err)
		}
		want := []string{".", "d", "d/a", "d/a2", "e", "e/y", "f", "g", "same"}
		if len(names) != len(want) {
			t.Errorf("%s: merged view %v, want %v", f.Name(), names, want)
			continue
		}
		for i := range want {
			if names[i] != want[i] {
				t.Errorf("%s: merged view %v, want %v", f.Name(), names, want)
				break
			}
		}
	}
}

func xattr(t *testing.T, p, name string) string {
	t.Helper()
	buf := make([]byte, 256)
	n, err := unix.Lgetxattr(p, name, buf)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return string(buf[:n])
}
