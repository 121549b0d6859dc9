package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPlainTreeKeepsEveryInvariant: a plain filesystem (the reference's
// kind) passes every self-consistency check; one it fails is a bug of the
// check, not a finding.
func TestPlainTreeKeepsEveryInvariant(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "a/b/c"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "a/d"), 0o700))
	must(os.WriteFile(filepath.Join(dir, "a/f"), []byte("data"), 0o644))
	must(os.Link(filepath.Join(dir, "a/f"), filepath.Join(dir, "a/b/f2")))
	must(os.Symlink("../f/with/a/long/target", filepath.Join(dir, "a/b/l")))
	must(unix.Mkfifo(filepath.Join(dir, "a/p"), 0o600))
	if err := unix.Setxattr(filepath.Join(dir, "a/f"), "user.k", []byte("v"), 0); err != nil {
		t.Logf("no user xattrs here (%v): the xattr check is not exercised", err)
	}
	_ = unix.Setxattr(filepath.Join(dir, "a/d"), "user.long", []byte(strings.Repeat("x", 3000)), 0)
	s, err := TakeSnapshot(dir, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Invariants) != 0 {
		t.Errorf("a plain tree breaks invariants: %+v", s.Invariants)
	}
	if e := s.Entries["a/f"]; len(e.Xattrs) > 0 && e.Xattrs["user.k"] != "v" {
		t.Errorf("xattrs read as %q", e.Xattrs)
	}
}

// TestInvariantChecksCanFail: each check reports a disagreement.
func TestInvariantChecksCanFail(t *testing.T) {
	s := &Snapshot{}
	calls := 0
	_, err := s.sizedCall("x", "listxattr-size", false, func(b []byte) (int, error) {
		calls++
		if b == nil {
			return 20, nil // an estimate: allowed for a list
		}
		return copy(b, "user.k\x00"), nil
	})
	if err != nil || calls != 2 || len(s.Invariants) != 0 {
		t.Fatalf("sizedCall: %v after %d calls, %+v", err, calls, s.Invariants)
	}
	_, err = s.sizedCall("x", "getxattr-size", true, func(b []byte) (int, error) {
		if b == nil {
			return 5, nil // a value's size must be exact
		}
		return copy(b, "abc"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.checkSymlinkSize("l", &unix.Stat_t{Size: 3}, "four")
	s.dirs.nlink = map[string]uint64{"d": 3, "one": 1}
	s.checkDirNlink("d", 2)
	s.checkDirNlink("one", 5) // 1: not counted
	a := unix.Stat_t{Mode: unix.S_IFREG | 0o644, Nlink: 1, Ino: 9}
	b := a
	b.Ino = 10
	if d := statDiff(&a, &b, ^uint32(0)); d != "ino 10 (lstat 9)" {
		t.Errorf("statDiff = %q", d)
	}
	var fields []string
	for _, f := range s.Invariants {
		fields = append(fields, f.Field)
	}
	if strings.Join(fields, " ") != "getxattr-size: 5 bytes asked, 3 filled symlink-size: st_size 3, target 4 bytes dir-nlink: st_nlink 3, 2 subdirectories listed" {
		t.Errorf("invariants %+v", s.Invariants)
	}
}
