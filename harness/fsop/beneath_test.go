package fsop_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// TestOpsNeverLeaveTheTree builds a tree whose symlinks point at /, /etc
// and a directory outside the tree, runs every kind of op through them,
// and proves that nothing outside changed: the outside directory is
// byte-for-byte the same (snapshot), and /etc/passwd and /etc/hostname
// were not even touched (their ctime, which every chmod, chown, write or
// xattr change bumps, is the same). The ops on /etc are chosen so that they
// would change nothing visible even if they escaped, except the ctime.
func TestOpsNeverLeaveTheTree(t *testing.T) {
	requireRoot(t)
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	root := filepath.Join(tmp, "root")
	for _, d := range []string{outside, filepath.Join(outside, "dir"), root, filepath.Join(root, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "victim"), []byte("do not touch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"slash":       "/",
		"etc":         "/etc",
		"out":         outside,
		"victim-link": filepath.Join(outside, "victim"),
		"dotdot":      "../../../../../../..",
		"sub/up":      "../../../../../../../..",
		"out-rel":     "../outside",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	before, err := snapshot.TakeSnapshot(outside, snapshot.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var passwd, hostname unix.Stat_t
	unix.Stat("/etc/passwd", &passwd)
	unix.Stat("/etc/hostname", &hostname)
	victimRel, _ := filepath.Rel("/", filepath.Join(outside, "victim"))

	tree, err := fsop.OpenTree(root)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	ops := []fsop.Op{
		fsop.Chmod{Path: "etc/passwd", Mode: passwd.Mode & 07777},
		fsop.Chown{Path: "etc/passwd", UID: int(passwd.Uid), GID: int(passwd.Gid)},
		fsop.Chmod{Path: "slash/etc/passwd", Mode: passwd.Mode & 07777},
		fsop.Lchown{Path: "etc/passwd", UID: int(passwd.Uid), GID: int(passwd.Gid)},
		fsop.SetXattr{Path: "etc/hostname", Name: "user.layercheck.escape", Value: "1"},
		fsop.Append{Path: "slash/etc/hostname", Data: ""},
		fsop.Chmod{Path: "out/victim", Mode: 0o777},
		fsop.Chmod{Path: "victim-link", Mode: 0o777},
		fsop.Chown{Path: "victim-link", UID: 1234, GID: 1234},
		fsop.Chmod{Path: "slash/" + victimRel, Mode: 0o777},
		fsop.Chmod{Path: "dotdot/" + victimRel, Mode: 0o777},
		fsop.Chmod{Path: "sub/up/" + victimRel, Mode: 0o777},
		fsop.Chmod{Path: "../outside/victim", Mode: 0o777},
		fsop.Chmod{Path: "out-rel/victim", Mode: 0o777},
		fsop.WriteFile{Path: "out/victim", Data: "owned", Mode: 0o644},
		fsop.WriteFile{Path: "victim-link", Data: "owned", Mode: 0o644},
		fsop.Truncate{Path: "out/victim", Size: 0},
		fsop.SetXattr{Path: "out/victim", Name: "user.escape", Value: "1"},
		fsop.Rename{From: "out/victim", To: "stolen"},
		fsop.Rename{From: "out/dir", To: "out/dir2"},
		fsop.Link{Old: "out/victim", New: "hardlinked"},
		fsop.Mkdir{Path: "out/newdir", Mode: 0o755},
		fsop.Symlink{Target: "x", Path: "out/newlink"},
		fsop.Mkfifo{Path: "out/fifo", Mode: 0o644},
		fsop.Remove{Path: "out/victim"},
		fsop.Remove{Path: "out/dir"},
		fsop.RemoveAll{Path: "out/dir"},
		fsop.RemoveAll{Path: "slash/" + filepath.Dir(victimRel)},
		fsop.RemoveAll{Path: "out"}, // removes the symlink only
		fsop.RemoveAll{Path: "out-rel"},
		fsop.RemoveAll{Path: "sub"},
	}
	for _, op := range ops {
		fsop.Apply(tree, op) // outcomes vary (ENOENT, ELOOP, ok inside the tree); only the outside matters
	}
	after, err := snapshot.TakeSnapshot(outside, snapshot.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fs := snapshot.Compare(before, after); len(fs) > 0 {
		t.Fatalf("an op changed a directory outside the tree: %v", fs)
	}
	var passwd2, hostname2 unix.Stat_t
	unix.Stat("/etc/passwd", &passwd2)
	unix.Stat("/etc/hostname", &hostname2)
	if passwd2.Ctim != passwd.Ctim || hostname2.Ctim != hostname.Ctim {
		t.Fatalf("an op touched /etc through a symlink (ctime changed)")
	}
	// The ops did act inside the tree: the absolute link resolved beneath it.
	if _, err := os.Lstat(filepath.Join(root, "out")); !os.IsNotExist(err) {
		t.Errorf("fsop.RemoveAll of the symlink out: %v, want it gone", err)
	}
}

// TestAbsoluteSymlinkResolvesInsideTree: an absolute symlink inside the
// tree means the tree's own path, as it does in a container.
func TestAbsoluteSymlinkResolvesInsideTree(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte("inside\n"), 0o644)
	os.Symlink("/etc", filepath.Join(root, "etclink"))
	tree, err := fsop.OpenTree(root)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if out := fsop.Apply(tree, fsop.Chmod{Path: "etclink/passwd", Mode: 0o600}); out != fsop.OK {
		t.Fatalf("chmod through an in-tree absolute link: %s", out)
	}
	st, _ := os.Stat(filepath.Join(root, "etc", "passwd"))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o, want 600", st.Mode().Perm())
	}
	// A final symlink is not followed by ops that act on the name.
	if out := fsop.Apply(tree, fsop.WriteFile{Path: "etclink", Data: "x", Mode: 0o644}); out != "ELOOP" && out != "EISDIR" {
		t.Fatalf("write through a final symlink: %s, want ELOOP", out)
	}
}

// TestOpsRunAsIdentity: an op run as a user gets that user's errno and
// leaves root's credentials untouched for everything else.
func TestOpsRunAsIdentity(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	os.Chmod(root, 0o755)
	os.WriteFile(filepath.Join(root, "rootfile"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(root, "userdir"), 0o700)
	os.Chown(filepath.Join(root, "userdir"), 1000, 1000)
	tree, _ := fsop.OpenTree(root)
	defer tree.Close()
	user := fsop.Identity{Name: "user", UID: 1000, GID: 1000}
	cases := []struct {
		op   fsop.Op
		want fsop.Outcome
	}{
		{fsop.Chmod{Path: "rootfile", Mode: 0o666, By: fsop.By{As: user}}, "EPERM"},
		{fsop.Append{Path: "rootfile", Data: "y", By: fsop.By{As: user}}, "EACCES"},
		{fsop.WriteFile{Path: "userdir/mine", Data: "y", Mode: 0o600, By: fsop.By{As: user}}, fsop.OK},
		{fsop.WriteFile{Path: "userdir/rootmade", Data: "y", Mode: 0o600}, fsop.OK},
		{fsop.Chown{Path: "userdir/mine", UID: 0, GID: 0, By: fsop.By{As: user}}, "EPERM"},
		{fsop.Remove{Path: "rootfile", By: fsop.By{As: user}}, "EACCES"},
	}
	for _, c := range cases {
		if got := fsop.Apply(tree, c.op); got != c.want {
			t.Errorf("%s: got %s, want %s", c.op.Shell(), got, c.want)
		}
	}
	var st unix.Stat_t
	unix.Stat(filepath.Join(root, "userdir", "mine"), &st)
	if st.Uid != 1000 || st.Gid != 1000 {
		t.Errorf("file made as user is owned by %d:%d", st.Uid, st.Gid)
	}
	if os.Geteuid() != 0 {
		t.Fatal("the test process lost root")
	}
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: ops change owners and act as other users")
	}
}

// rootTree skips without root, else makes a temporary directory with mode
// and opens it as a tree, closed when the test ends.
func rootTree(t *testing.T, mode uint32) (string, *fsop.Tree) {
	t.Helper()
	requireRoot(t)
	root := t.TempDir()
	if err := os.Chmod(root, os.FileMode(mode)); err != nil {
		t.Fatal(err)
	}
	tree, err := fsop.OpenTree(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	return root, tree
}

// snap snapshots dir with access probed for ids.
func snap(t *testing.T, dir string, ids ...fsop.Identity) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.TakeSnapshot(dir, snapshot.SnapshotOptions{Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
