package fsop_test

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// TestACLEncoding: the encoder writes exactly the bytes setfacl(1) writes
// (read back with getfattr -e hex on this kind of machine), whatever the
// order the entries are given in, and decodes back to the text.
func TestACLEncoding(t *testing.T) {
	cases := map[string]string{
		// setfacl -m u:1002:r--,m::r-- on a 0644 file
		"u::rw-,u:1002:r--,g::r--,m::r--,o::r--": "0200000001000600ffffffff02000400ea03000004000400ffffffff10000400ffffffff20000400ffffffff",
		"o::r--,m::r--,g::r--,u:1002:r--,u::rw-": "0200000001000600ffffffff02000400ea03000004000400ffffffff10000400ffffffff20000400ffffffff",
		// setfacl -d -m u:1002:rwx on a 0755 directory
		"user::rwx,user:1002:rwx,group::r-x,mask::rwx,other::r-x": "0200000001000700ffffffff02000700ea03000004000500ffffffff10000700ffffffff20000500ffffffff",
	}
	for text, want := range cases {
		got, err := fsop.EncodeACL(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if hex.EncodeToString([]byte(got)) != want {
			t.Errorf("%s:\n got %x\nwant %s", text, got, want)
		}
		if s := fsop.XattrText(fsop.XattrACLAccess, got); s != "acl u::rw-,u:1002:r--,g::r--,m::r--,o::r--" && s != "acl u::rwx,u:1002:rwx,g::r-x,m::rwx,o::r-x" {
			t.Errorf("decoded %q", s)
		}
	}
	for _, bad := range []string{"u::rw", "x::rwx", "m:5:rwx", "u:me:rwx", "u::rwq", "u:rwx"} {
		if _, err := fsop.EncodeACL(bad); err == nil {
			t.Errorf("fsop.EncodeACL(%q) accepted", bad)
		}
	}
}

// TestCapsEncoding: fsop.FileCaps(true, fsop.CapNetRaw) is setcap's cap_net_raw+ep.
func TestCapsEncoding(t *testing.T) {
	got := fsop.FileCaps(true, fsop.CapNetRaw)
	if want := "0100000200200000000000000000000000000000"; hex.EncodeToString([]byte(got)) != want {
		t.Errorf("cap_net_raw+ep: got %x, want %s", got, want)
	}
	if s := fsop.XattrText(fsop.XattrCapability, got); s != "caps v2 permitted=0x2000 inheritable=0x0 effective" {
		t.Errorf("decoded %q", s)
	}
	if s := fsop.XattrText(fsop.XattrCapability, fsop.FileCaps(false, fsop.CapSysAdmin, 40)); s != "caps v2 permitted=0x10000200000 inheritable=0x0" {
		t.Errorf("decoded %q", s)
	}
}

// TestACLAndCapsTheKernelAccepts: the kernel takes both values through
// fsop.SetXattr, an fsop.ACL changes the group bits of the mode to its mask and grants
// the named user what it says, and a chown clears the capability.
func TestACLAndCapsTheKernelAccepts(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "f"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(root, "bin"), []byte("x"), 0o755)
	tree, _ := fsop.OpenTree(root)
	defer tree.Close()
	other := fsop.Identity{Name: "other", UID: 1002, GID: 1002}
	for _, op := range []fsop.Op{
		fsop.SetXattr{Path: "f", Name: fsop.XattrACLAccess, Value: fsop.ACL("u::rw-,u:1002:r--,g::---,m::r--,o::---")},
		fsop.SetXattr{Path: "bin", Name: fsop.XattrCapability, Value: fsop.FileCaps(true, fsop.CapNetRaw)},
	} {
		if out := fsop.Apply(tree, op); out != fsop.OK {
			if out == "EOPNOTSUPP" {
				t.Skipf("%s: the test's filesystem has no ACLs or security xattrs", op.Shell())
			}
			t.Fatalf("%s: %s", op.Shell(), out)
		}
	}
	s := snap(t, root, other)
	if e := s.Entries["f"]; e.Mode != "0640" || e.Access["other"] != "r--" {
		t.Errorf("f with an fsop.ACL for 1002: mode %s, other may %s; want 0640, r--", e.Mode, e.Access["other"])
	}
	if got := s.Entries["f"].Xattrs[fsop.XattrACLAccess]; got != fsop.ACL("u::rw-,u:1002:r--,g::---,m::r--,o::---") {
		t.Errorf("the snapshot shows the fsop.ACL as %q", fsop.XattrText(fsop.XattrACLAccess, got))
	}
	if got := s.Entries["bin"].Xattrs[fsop.XattrCapability]; got != fsop.FileCaps(true, fsop.CapNetRaw) {
		t.Errorf("the snapshot shows the capability as %q", fsop.XattrText(fsop.XattrCapability, got))
	}
	if out := fsop.Apply(tree, fsop.Chown{Path: "bin", UID: 1000, GID: -1}); out != fsop.OK {
		t.Fatal(out)
	}
	if _, err := unix.Getxattr(filepath.Join(root, "bin"), fsop.XattrCapability, nil); err != unix.ENODATA {
		t.Errorf("capability after chown: %v, want ENODATA", err)
	}
}
