package overlay

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

func inoOf(t *testing.T, p string) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// TestInoNotKeptWithoutFHIsPrecise: an st_ino changed across the remount
// is the known issue only for a non-directory whose upper copy has no
// origin handle and whose new st_ino is the upper file's own.
func TestInoNotKeptWithoutFHIsPrecise(t *testing.T) {
	o, err := NewOverlay("userxattr")
	if err != nil {
		t.Fatal(err)
	}
	upper := t.TempDir()
	for _, n := range []string{"nofh", "fh"} {
		if err := os.WriteFile(filepath.Join(upper, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Lsetxattr(filepath.Join(upper, "nofh"), "user.overlay.origin", nil, 0); err != nil {
		t.Skipf("no user xattrs here: %v", err)
	}
	if err := unix.Lsetxattr(filepath.Join(upper, "fh"), "user.overlay.origin", []byte{0, 0xfb, 21, 0, 1}, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nofh", filepath.Join(upper, "sym")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(upper, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	ev := &backend.Evidence{Upper: upper}
	finding := func(p string, after uint64, stage string) snapshot.Finding {
		return snapshot.Finding{Kind: snapshot.KindInode, Path: p, Field: snapshot.InodeChanged, Stage: stage,
			Reference: "kept across the remount", Merged: fmt.Sprintf("st_ino %d, was 7", after)}
	}
	for _, c := range []struct {
		name string
		f    snapshot.Finding
		want bool
	}{
		{"empty origin, upper's st_ino", finding("nofh", inoOf(t, filepath.Join(upper, "nofh")), "remount"), true},
		{"symlink (no user xattr there), upper's st_ino", finding("sym", inoOf(t, filepath.Join(upper, "sym")), "remount"), true},
		{"empty origin, another st_ino", finding("nofh", inoOf(t, filepath.Join(upper, "nofh"))+1, "remount"), false},
		{"origin recorded", finding("fh", inoOf(t, filepath.Join(upper, "fh")), "remount"), false},
		{"a directory", finding("dir", inoOf(t, filepath.Join(upper, "dir")), "remount"), false},
		{"not in the upper", finding("gone", 7, "remount"), false},
		{"changed by an op, not the remount", finding("nofh", inoOf(t, filepath.Join(upper, "nofh")), "runtime"), false},
	} {
		if got := o.matchInoNotKeptWithoutFH(c.f, ev); got != c.want {
			t.Errorf("%s: matched %v, want %v", c.name, got, c.want)
		}
	}
}

// TestLinkKeptByUpperAsOne: the st_ino a link op changed is the known
// issue of names the upper holds as one inode (of any non-directory type),
// not of a link that the upper holds apart or of another op.
func TestLinkKeptByUpperAsOne(t *testing.T) {
	upper := t.TempDir()
	os.WriteFile(filepath.Join(upper, "a"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(upper, "c"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(upper, "d"), []byte("x"), 0o644)
	os.Link(filepath.Join(upper, "a"), filepath.Join(upper, "b"))
	os.Symlink("a", filepath.Join(upper, "s"))
	if err := os.Link(filepath.Join(upper, "s"), filepath.Join(upper, "s2")); err != nil {
		t.Fatal(err)
	}
	ev := func(op fsop.Op) *backend.Evidence {
		return &backend.Evidence{Op: op, Stack: []string{upper, t.TempDir()}}
	}
	kept := func(p string) snapshot.Finding {
		return snapshot.Finding{Kind: snapshot.KindInode, Path: p, Field: snapshot.InodeChanged,
			Reference: "kept by link", Merged: "st_ino 12, was 7 (of a)"}
	}
	if !matchUpperLinkOwnInodes(kept("b"), ev(fsop.Link{Old: "a", New: "b"})) {
		t.Error("a link the upper holds as one inode did not match")
	}
	if !matchUpperLinkOwnInodes(kept("s2"), ev(fsop.Link{Old: "s", New: "s2"})) {
		t.Error("a symlink's link the upper holds as one inode did not match")
	}
	if matchUpperLinkOwnInodes(kept("d"), ev(fsop.Link{Old: "c", New: "d"})) {
		t.Error("names the upper holds apart matched")
	}
	if matchUpperLinkOwnInodes(kept("x"), ev(fsop.Link{Old: "a", New: "b"})) {
		t.Error("a path the link did not name matched")
	}
	if matchUpperLinkOwnInodes(kept("b"), ev(fsop.Chmod{Path: "b", Mode: 0o600})) {
		t.Error("another op matched")
	}
	// The remount that joins a symlink's names again, as for a file.
	ref := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{"s": {Type: "symlink", Links: []string{"s2"}}}}
	merged := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{"s": {Type: "symlink"}}}
	persist := snapshot.Finding{Kind: snapshot.KindPersistence, Path: "s", Field: "link links", Reference: "none", Merged: "s2"}
	if !matchUpperLinkOwnInodes(persist, &backend.Evidence{Ref: ref, Merged: merged, Upper: upper}) {
		t.Error("a symlink's names joined again by the remount did not match")
	}
}
