package commit

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/idmap"
	"golang.org/x/sys/unix"
)

// TestWriteLeavesOutIDsTheMappingCannotShow: an upper read through an
// idmapped mount whose files hold an ACL entry and a v3 capability root id
// outside the mapping (host ids 1002 and 1000 under 0:100000:65536) is
// written without those two xattrs, where listing them would fail
// (EOVERFLOW) or give an ACL no extractor can set; an ACL whose ids are
// mapped is carried, translated to container ids.
func TestWriteLeavesOutIDsTheMappingCannotShow(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	ns, err := idmap.NewUserns(idmap.Default)
	if err != nil {
		t.Skipf("no user namespace: %v", err)
	}
	v, err := idmap.NewView(ns, dir)
	if err != nil {
		t.Skipf("no idmapped mount here: %v", err)
	}
	t.Cleanup(func() {
		if err := v.Close(); err != nil {
			t.Error(err)
		}
	})
	up := filepath.Join(dir, "up")
	mkdir(t, up, 0o755)
	must(t, os.Lchown(up, 100000, 100000))
	for name, acl := range map[string]string{"unmapped-acl": "u::rw-,u:1002:r--,g::r--,m::r--,o::---", "mapped-acl": "u::rw-,u:101002:r--,g::r--,m::r--,o::---"} {
		p := filepath.Join(up, name)
		writeFile(t, p, "x", 0o644)
		must(t, os.Lchown(p, 100000, 100000))
		must(t, unix.Lsetxattr(p, fsop.XattrACLAccess, []byte(fsop.ACL(acl)), 0))
	}
	capFile := filepath.Join(up, "unmapped-cap")
	writeFile(t, capFile, "x", 0o755)
	must(t, os.Lchown(capFile, 100000, 100000))
	capv3 := binary.LittleEndian.AppendUint32(nil, 0x03000001)
	capv3 = binary.LittleEndian.AppendUint32(capv3, 1<<fsop.CapNetRaw)
	capv3 = append(capv3, make([]byte, 12)...)
	capv3 = binary.LittleEndian.AppendUint32(capv3, 1000) // root id: host 1000, outside the mapping
	must(t, unix.Lsetxattr(capFile, fsop.XattrCapability, capv3, 0))

	if _, err := listXattrs(v.MappedPath(capFile)); err == nil {
		t.Fatal("reading a capability whose root id is outside the mapping did not fail: nothing to test here")
	}
	var buf bytes.Buffer
	must(t, Write(&buf, v.MappedPath(up), nil, Overlay))
	got := map[string]map[string]string{}
	tr := tar.NewReader(&buf)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		got[hdr.Name] = hdr.PAXRecords
	}
	if _, ok := got["unmapped-acl"][paxXattr+fsop.XattrACLAccess]; ok {
		t.Error("the ACL naming an id outside the mapping was carried")
	}
	if _, ok := got["unmapped-cap"][paxXattr+fsop.XattrCapability]; ok {
		t.Error("the capability whose root id is outside the mapping was carried")
	}
	want := fsop.ACL("u::rw-,u:1002:r--,g::r--,m::r--,o::---") // host 101002 is container 1002
	if a := got["mapped-acl"][paxXattr+fsop.XattrACLAccess]; a != want {
		t.Errorf("the mapped ACL: %q, want %q", a, want)
	}
}
