package harness

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// build makes a tree at dir from ops, applied as root.
func build(t *testing.T, dir string, ops ...Op) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tree, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	for _, op := range ops {
		if out := Apply(tree, op); out != OK {
			t.Fatalf("%s: %s", op.Shell(), out)
		}
	}
}

func snap(t *testing.T, dir string, ids ...Identity) *Snapshot {
	t.Helper()
	s, err := TakeSnapshot(dir, SnapshotOptions{Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var baseOps = []Op{
	Mkdir{Path: "etc", Mode: 0o755},
	WriteFile{Path: "etc/passwd", Data: "root\n", Mode: 0o644},
	WriteFile{Path: "etc/shadow", Data: "secret\n", Mode: 0o600},
	Mkdir{Path: "home", Mode: 0o700},
	WriteFile{Path: "home/a", Data: "a", Mode: 0o644},
	Link{Old: "home/a", New: "home/b"},
	Symlink{Target: "etc/passwd", Path: "link"},
	SetXattr{Path: "etc/passwd", Name: "user.x", Value: "1"},
	Mkdir{Path: "gone", Mode: 0o755},
	WriteFile{Path: "gone/child", Data: "c", Mode: 0o644},
}

// TestCompareExplainsEveryKind: each kind of difference between two plain
// trees comes out as its own finding, with the path, the field and both
// values, and a missing directory is one finding for its whole subtree.
func TestCompareExplainsEveryKind(t *testing.T) {
	requireRoot(t)
	tmp := t.TempDir()
	ref, got := filepath.Join(tmp, "ref"), filepath.Join(tmp, "got")
	build(t, ref, baseOps...)
	build(t, got, baseOps...)
	build(t, got,
		Chmod{Path: "etc/shadow", Mode: 0o644},                           // mode, and access widened
		Chown{Path: "etc/passwd", UID: 1000, GID: -1},                    // owner
		Append{Path: "home/a", Data: "more"},                             // content (both names)
		RemoveXattr{Path: "etc/passwd", Name: "user.x"},                  // xattr
		Remove{Path: "link"}, Symlink{Target: "elsewhere", Path: "link"}, // symlink
		RemoveAll{Path: "gone"},                         // missing, with a child
		WriteFile{Path: "extra", Data: "", Mode: 0o644}, // extra
	)
	other := Identity{Name: "other", UID: 1002, GID: 1002}
	fs := Compare(snap(t, ref, other), snap(t, got, other))
	want := map[string]string{
		"etc/shadow mode":          KindMode,
		"etc/passwd uid":           KindOwner,
		"home/a data":              KindContent,
		"home/b data":              KindContent,
		"etc/passwd xattrs:user.x": KindXattr,
		"link target":              KindSymlink,
		"gone entry":               KindMissing,
		"extra entry":              KindExtra,
		"etc/shadow other":         KindAccess,
	}
	seen := map[string]Finding{}
	for _, f := range fs {
		seen[f.Path+" "+f.Field] = f
	}
	for k, kind := range want {
		f, ok := seen[k]
		if !ok {
			t.Errorf("no finding %q; got %v", k, fs)
			continue
		}
		if f.Kind != kind {
			t.Errorf("%s: kind %s, want %s", k, f.Kind, kind)
		}
	}
	if f := seen["gone entry"]; f.Beneath != 1 {
		t.Errorf("missing dir should fold its child: %+v", f)
	}
	if _, ok := seen["gone/child entry"]; ok {
		t.Errorf("child of a missing dir reported on its own")
	}
	if f := seen["etc/shadow other"]; !f.Widened || f.Reference != "---" || f.Merged != "r--" {
		t.Errorf("access finding: %+v, want widened --- -> r--", f)
	}
}

// TestSnapshotLinksAndInvariants: hardlink groups are recorded both ways,
// and a clean tree has no invariant findings.
func TestSnapshotLinksAndInvariants(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	build(t, dir, baseOps...)
	s := snap(t, dir)
	if got := s.Entries["home/a"].Links; !slices.Equal(got, []string{"home/b"}) {
		t.Errorf("links of home/a: %v", got)
	}
	if s.Entries["home/b"].Nlink != 2 {
		t.Errorf("nlink of home/b: %d", s.Entries["home/b"].Nlink)
	}
	if len(s.Invariants) != 0 {
		t.Errorf("invariants on a plain tree: %v", s.Invariants)
	}
	if e := s.Entries["link"]; e.Type != "symlink" || e.Target != "etc/passwd" {
		t.Errorf("symlink entry: %+v", e)
	}
}

// TestCopyTreeKeepsEverything: a copy compares equal to its source, setuid
// bits, owners, xattrs and hardlinks included.
func TestCopyTreeKeepsEverything(t *testing.T) {
	requireRoot(t)
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	build(t, src, append(baseOps,
		WriteFile{Path: "suid", Data: "x", Mode: 0o755}, Chown{Path: "suid", UID: 1000, GID: 1000}, Chmod{Path: "suid", Mode: 0o4755},
		Mkdir{Path: "sticky", Mode: 0o1777}, Chmod{Path: "sticky", Mode: 0o1777}, Mkfifo{Path: "fifo", Mode: 0o600},
		Mkdir{Path: "ro", Mode: 0o500})...)
	if err := CopyTree(src, filepath.Join(tmp, "dst")); err != nil {
		t.Fatal(err)
	}
	if fs := Compare(snap(t, src), snap(t, filepath.Join(tmp, "dst"))); len(fs) > 0 {
		t.Fatalf("copy differs: %v", fs)
	}
}
