package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree makes a plain directory with a file, a hardlink pair and a
// subdirectory: every identity relation holds on it.
func tree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"a", "b", "sub/c"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(filepath.Join(dir, "a"), filepath.Join(dir, "a2")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func take(t *testing.T, dir string) *Snapshot {
	t.Helper()
	s, err := TakeSnapshot(dir, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestInodeFindingsCleanOnAPlainTree: a plain directory is its own
// reference and shows no inode finding; its identities are recorded.
func TestInodeFindingsCleanOnAPlainTree(t *testing.T) {
	s := take(t, tree(t))
	if fs := InodeFindings(s, s); len(fs) != 0 {
		t.Fatalf("plain tree: %v", fs)
	}
	a, _ := s.Identity("a")
	a2, _ := s.Identity("a2")
	sub, _ := s.Identity("sub")
	if a.Ino == 0 || a.Ino != a2.Ino || !sub.Dir || sub.Dot != sub.Ino || !a.HasDIno || a.DIno != a.Ino {
		t.Fatalf("identities not recorded: a %+v a2 %+v sub %+v", a, a2, sub)
	}
}

// TestInodeFindingsSeesWhatBreaks: a d_ino that is not st_ino, an entry
// on another st_dev, and two names sharing an inode the reference keeps
// apart are each a finding; the reference's inode numbers play no part.
func TestInodeFindingsSeesWhatBreaks(t *testing.T) {
	dir := tree(t)
	s := take(t, dir)
	ref := take(t, tree(t)) // another tree: other inode numbers, same relations
	if fs := InodeFindings(s, ref); len(fs) != 0 {
		t.Fatalf("same relations on another tree: %v", fs)
	}
	b := s.ids["b"]
	b.DIno++
	b.Dev++
	s.ids["b"] = b
	c := s.ids["sub/c"]
	c.Dev, c.Ino = s.ids["a"].Dev, s.ids["a"].Ino
	s.ids["sub/c"] = c
	got := map[string]string{}
	for _, f := range InodeFindings(s, ref) {
		if f.Kind != KindInode {
			t.Errorf("kind %s", f.Kind)
		}
		got[f.Field] += f.Path + ":" + f.Merged + ";"
	}
	if !strings.Contains(got[InodeDIno], "b:") || !strings.Contains(got[InodeDev], "b:") {
		t.Errorf("d_ino or st_dev of b not reported: %v", got)
	}
	if !strings.Contains(got[InodeShared], "sub/c") {
		t.Errorf("a and sub/c share an inode the reference keeps apart, not reported: %v", got)
	}
}

// TestInodesKept: a path whose st_ino moved across a remount is reported,
// unless changed says something replaced it.
func TestInodesKept(t *testing.T) {
	dir := tree(t)
	before := take(t, dir)
	// b.new is made while b exists, so it cannot reuse b's inode number.
	if err := os.WriteFile(filepath.Join(dir, "b.new"), []byte("b"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "b.new"), filepath.Join(dir, "b")); err != nil {
		t.Fatal(err)
	}
	after := take(t, dir)
	fs := InodesKept(before, after, "remount", func(string) bool { return false })
	if len(fs) != 1 || fs[0].Path != "b" || fs[0].Field != InodeChanged || fs[0].Stage != "remount" {
		t.Fatalf("b replaced: got %v", fs)
	}
	if fs := InodesKept(before, after, "remount", func(p string) bool { return p == "b" }); len(fs) != 0 {
		t.Fatalf("b changed offline: got %v", fs)
	}
}
