package snapshot

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/testenv"
	"golang.org/x/sys/unix"
)

// reuseTree makes a small tree: d/ (0755) with files a and b, and e/f.
func reuseTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"d", "e"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"d/a", "d/b", "e/f"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("data of "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var reuseIDs = []fsop.Identity{{Name: "nobody", UID: 65534, GID: 65534}}

func takeReuse(t *testing.T, dir string, prior *Prior) *Snapshot {
	t.Helper()
	s, err := TakeSnapshot(dir, SnapshotOptions{Identities: reuseIDs, Prior: prior})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPriorStandsOnlyForWhatCannotHaveChanged: a snapshot with a Prior
// takes the entries nothing reached whose identity is the prior's, and
// reads in full what was reached, what stat shows changed (even a change
// that keeps size and mtime: ctime moves) and, for access, what lies
// beneath a directory whose mode changed. Whatever it takes, the result
// is the snapshot a full read gives.
func TestPriorStandsOnlyForWhatCannotHaveChanged(t *testing.T) {
	testenv.RequireRoot(t)
	dir := reuseTree(t)
	prior := takeReuse(t, dir, nil)
	none := func(string) bool { return false }

	same := takeReuse(t, dir, &Prior{Snap: prior, Reached: none})
	if same.Reused() != len(prior.Entries)-1 { // all but the root
		t.Errorf("reused %d of %d entries of an unchanged tree", same.Reused(), len(prior.Entries)-1)
	}
	reached := takeReuse(t, dir, &Prior{Snap: prior, Reached: func(p string) bool { return p == "d/a" }})
	if reached.Reused() != len(prior.Entries)-2 {
		t.Errorf("a reached entry was taken from the prior (%d reused)", reached.Reused())
	}

	// Same size, mtime set back: only ctime says it changed.
	a := filepath.Join(dir, "d/a")
	var st unix.Stat_t
	if err := unix.Lstat(a, &st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a, []byte("DATA OF d/a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, a, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
	// Searching d is refused to others: access beneath it changes.
	if err := os.Chmod(filepath.Join(dir, "d"), 0o700); err != nil {
		t.Fatal(err)
	}
	fast := takeReuse(t, dir, &Prior{Snap: prior, Reached: none})
	full := takeReuse(t, dir, nil)
	if !reflect.DeepEqual(fast.Entries, full.Entries) {
		t.Errorf("with the prior:\n%v\nread in full:\n%v", fast.Entries, full.Entries)
	}
	if fast.Entries["d/a"].Digest == prior.Entries["d/a"].Digest {
		t.Error("a rewritten file kept the prior's digest")
	}
	if fast.Entries["d/b"].Access["nobody"] == prior.Entries["d/b"].Access["nobody"] {
		t.Error("access beneath a directory closed to others was taken from the prior")
	}
	if fast.Reused() == 0 || fast.accessKept("d/b") || !fast.accessKept("e/f") {
		t.Errorf("reused %d; d/b access kept %v, e/f %v", fast.Reused(), fast.accessKept("d/b"), fast.accessKept("e/f"))
	}
}

// TestSameInodePriorIsTheVeryInode: under SameInode a hardlink of the
// prior's file is taken whatever its ctime and link count, and a file
// made anew in its place (another inode) is read.
func TestSameInodePriorIsTheVeryInode(t *testing.T) {
	testenv.RequireRoot(t)
	src := reuseTree(t)
	prior := takeReuse(t, src, nil)
	farm := t.TempDir()
	for _, d := range []string{"d", "e"} {
		if err := os.Mkdir(filepath.Join(farm, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"d/a", "d/b", "e/f"} {
		if err := os.Link(filepath.Join(src, f), filepath.Join(farm, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(farm, "d/b")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(farm, "d/b"), []byte("data of d/B"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := func(p *Prior) SnapshotOptions { return SnapshotOptions{Prior: p} }
	fast, err := TakeSnapshot(farm, opts(&Prior{Snap: prior, SameInode: true, Reached: func(string) bool { return false }}))
	if err != nil {
		t.Fatal(err)
	}
	full, err := TakeSnapshot(farm, opts(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast.Entries, full.Entries) {
		t.Errorf("with the prior:\n%v\nread in full:\n%v", fast.Entries, full.Entries)
	}
	if fast.Reused() != 2 { // d/a and e/f; d/b is another inode, directories are read
		t.Errorf("reused %d entries, want 2", fast.Reused())
	}
}

// TestPriorOfACopyStandsOnlyForWhatTheCopyKept: a copy of a tree,
// identified right after it was made (TakeIdents), takes from the
// original's snapshot every entry that still has the copy's identity, and
// reads in full one that changed after (size and mtime kept: ctime says
// it); the result is the copy's full snapshot.
func TestPriorOfACopyStandsOnlyForWhatTheCopyKept(t *testing.T) {
	testenv.RequireRoot(t)
	orig := reuseTree(t)
	prior := takeReuse(t, orig, nil)
	cp := filepath.Join(t.TempDir(), "copy")
	if err := fsop.CopyTree(orig, cp); err != nil {
		t.Fatal(err)
	}
	ids, err := TakeIdents(cp)
	if err != nil {
		t.Fatal(err)
	}
	none := func(string) bool { return false }
	if same := takeReuse(t, cp, &Prior{Snap: prior, Reached: none, Idents: ids}); same.Reused() != len(prior.Entries)-1 {
		t.Errorf("reused %d of %d entries of an untouched copy", same.Reused(), len(prior.Entries)-1)
	}
	if orig := takeReuse(t, cp, &Prior{Snap: prior, Reached: none}); orig.Reused() != 0 {
		t.Errorf("the copy's entries were taken by the original's identities (%d reused)", orig.Reused())
	}
	a := filepath.Join(cp, "d/a")
	var st unix.Stat_t
	if err := unix.Lstat(a, &st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a, []byte("DATA OF d/a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, a, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
	fast := takeReuse(t, cp, &Prior{Snap: prior, Reached: none, Idents: ids})
	full := takeReuse(t, cp, nil)
	if fast.Reused() != len(prior.Entries)-2 {
		t.Errorf("reused %d entries, want all but the root and the changed d/a", fast.Reused())
	}
	if !reflect.DeepEqual(fast.Entries, full.Entries) {
		t.Errorf("the copy's snapshot with the original's prior is not its full snapshot:\n%v\n%v", fast.Entries, full.Entries)
	}
}
