package harness

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: ops change owners and act as other users")
	}
}

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
	before, err := TakeSnapshot(outside, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var passwd, hostname unix.Stat_t
	unix.Stat("/etc/passwd", &passwd)
	unix.Stat("/etc/hostname", &hostname)
	victimRel, _ := filepath.Rel("/", filepath.Join(outside, "victim"))

	tree, err := OpenTree(root)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	ops := []Op{
		Chmod{Path: "etc/passwd", Mode: passwd.Mode & 07777},
		Chown{Path: "etc/passwd", UID: int(passwd.Uid), GID: int(passwd.Gid)},
		Chmod{Path: "slash/etc/passwd", Mode: passwd.Mode & 07777},
		Lchown{Path: "etc/passwd", UID: int(passwd.Uid), GID: int(passwd.Gid)},
		SetXattr{Path: "etc/hostname", Name: "user.layercheck.escape", Value: "1"},
		Append{Path: "slash/etc/hostname", Data: ""},
		Chmod{Path: "out/victim", Mode: 0o777},
		Chmod{Path: "victim-link", Mode: 0o777},
		Chown{Path: "victim-link", UID: 1234, GID: 1234},
		Chmod{Path: "slash/" + victimRel, Mode: 0o777},
		Chmod{Path: "dotdot/" + victimRel, Mode: 0o777},
		Chmod{Path: "sub/up/" + victimRel, Mode: 0o777},
		Chmod{Path: "../outside/victim", Mode: 0o777},
		Chmod{Path: "out-rel/victim", Mode: 0o777},
		WriteFile{Path: "out/victim", Data: "owned", Mode: 0o644},
		WriteFile{Path: "victim-link", Data: "owned", Mode: 0o644},
		Truncate{Path: "out/victim", Size: 0},
		SetXattr{Path: "out/victim", Name: "user.escape", Value: "1"},
		Rename{From: "out/victim", To: "stolen"},
		Rename{From: "out/dir", To: "out/dir2"},
		Link{Old: "out/victim", New: "hardlinked"},
		Mkdir{Path: "out/newdir", Mode: 0o755},
		Symlink{Target: "x", Path: "out/newlink"},
		Mkfifo{Path: "out/fifo", Mode: 0o644},
		Remove{Path: "out/victim"},
		Remove{Path: "out/dir"},
		RemoveAll{Path: "out/dir"},
		RemoveAll{Path: "slash/" + filepath.Dir(victimRel)},
		RemoveAll{Path: "out"}, // removes the symlink only
		RemoveAll{Path: "out-rel"},
		RemoveAll{Path: "sub"},
	}
	for _, op := range ops {
		Apply(tree, op) // outcomes vary (ENOENT, ELOOP, ok inside the tree); only the outside matters
	}
	after, err := TakeSnapshot(outside, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fs := Compare(before, after); len(fs) > 0 {
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
		t.Errorf("RemoveAll of the symlink out: %v, want it gone", err)
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
	tree, err := OpenTree(root)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if out := Apply(tree, Chmod{Path: "etclink/passwd", Mode: 0o600}); out != OK {
		t.Fatalf("chmod through an in-tree absolute link: %s", out)
	}
	st, _ := os.Stat(filepath.Join(root, "etc", "passwd"))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o, want 600", st.Mode().Perm())
	}
	// A final symlink is not followed by ops that act on the name.
	if out := Apply(tree, WriteFile{Path: "etclink", Data: "x", Mode: 0o644}); out != "ELOOP" && out != "EISDIR" {
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
	tree, _ := OpenTree(root)
	defer tree.Close()
	user := Identity{Name: "user", UID: 1000, GID: 1000}
	cases := []struct {
		op   Op
		want Outcome
	}{
		{Chmod{Path: "rootfile", Mode: 0o666, By: By{As: user}}, "EPERM"},
		{Append{Path: "rootfile", Data: "y", By: By{As: user}}, "EACCES"},
		{WriteFile{Path: "userdir/mine", Data: "y", Mode: 0o600, By: By{As: user}}, OK},
		{WriteFile{Path: "userdir/rootmade", Data: "y", Mode: 0o600}, OK},
		{Chown{Path: "userdir/mine", UID: 0, GID: 0, By: By{As: user}}, "EPERM"},
		{Remove{Path: "rootfile", By: By{As: user}}, "EACCES"},
	}
	for _, c := range cases {
		if got := Apply(tree, c.op); got != c.want {
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
