package snapshot

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/testenv"
)

func snap(t *testing.T, dir string, ids ...fsop.Identity) *Snapshot {
	t.Helper()
	s, err := TakeSnapshot(dir, SnapshotOptions{Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCompareExplainsEveryKind: each kind of difference between two plain
// trees comes out as its own finding, with the path, the field and both
// values, and a missing directory is one finding for its whole subtree.
func TestCompareExplainsEveryKind(t *testing.T) {
	testenv.RequireRoot(t)
	tmp := t.TempDir()
	ref, got := filepath.Join(tmp, "ref"), filepath.Join(tmp, "got")
	testenv.Build(t, ref, testenv.BaseOps...)
	testenv.Build(t, got, testenv.BaseOps...)
	testenv.Build(t, got, fsop.Chmod{Path: "etc/shadow", Mode: 0o644}, fsop.Chown{ // mode, and access widened
		Path: "etc/passwd", UID: 1000, GID: -1}, fsop.Append{ // owner
		Path: "home/a", Data: "more"}, fsop.RemoveXattr{ // content (both names)
		Path: "etc/passwd", Name: "user.x"}, fsop.Remove{ // xattr
		Path: "link"}, fsop.Symlink{Target: "elsewhere", Path: "link"}, fsop. // symlink
		RemoveAll{Path: "gone"}, fsop.WriteFile{                              // missing, with a child
		Path: "extra", Data: "", Mode: 0o644}, // extra
	)
	other := fsop.Identity{Name: "other", UID: 1002, GID: 1002}
	fs := Compare(snap(t, ref, other), snap(t, got, other))
	want := map[string]Kind{
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
	testenv.RequireRoot(t)
	dir := t.TempDir()
	testenv.Build(t, dir, testenv.BaseOps...)
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
	testenv.RequireRoot(t)
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	testenv.Build(t, src, append(testenv.BaseOps, fsop.WriteFile{Path: "suid", Data: "x", Mode: 0o755}, fsop.Chown{Path: "suid", UID: 1000, GID: 1000}, fsop.Chmod{Path: "suid", Mode: 0o4755}, fsop.Mkdir{Path: "sticky", Mode: 0o1777}, fsop.Chmod{Path: "sticky", Mode: 0o1777}, fsop.Mkfifo{Path: "fifo", Mode: 0o600}, fsop.Mkdir{Path: "ro", Mode: 0o500})...)
	if err := fsop.CopyTree(src, filepath.Join(tmp, "dst")); err != nil {
		t.Fatal(err)
	}
	if fs := Compare(snap(t, src), snap(t, filepath.Join(tmp, "dst"))); len(fs) > 0 {
		t.Fatalf("copy differs: %v", fs)
	}
}
