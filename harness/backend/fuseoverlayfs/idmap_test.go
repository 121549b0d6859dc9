package fuseoverlayfs

import (
	"errors"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestWithIdmap: --idmap all becomes fuse-overlayfs's own options, on-disk
// (host) id first as its man page's UID:MAPPED-UID:LEN has it; the lowers
// or the upper alone, which its mapping cannot do, are an environment
// error (exit 3), and a mapping given in --options too a usage error.
func TestWithIdmap(t *testing.T) {
	f, err := NewFuseOverlayfs("noacl")
	if err != nil {
		t.Fatal(err)
	}
	uid := []backend.IDRange{{Container: 0, Host: 100000, Size: 65536}}
	gid := []backend.IDRange{{Container: 0, Host: 200000, Size: 1000}, {Container: 1000, Host: 300000, Size: 10}}
	b, err := f.WithIdmap(true, true, uid, gid)
	if err != nil {
		t.Fatal(err)
	}
	argv, err := b.(*FuseOverlayfs).Argv(backend.MountSpec{Lowers: []string{"/l"}, Upper: "/u", Work: "/w", Target: "/m"})
	if err != nil {
		t.Fatal(err)
	}
	if o := argv[3]; !strings.HasSuffix(o, ",noacl,uidmapping=100000:0:65536,gidmapping=200000:0:1000:300000:1000:10") {
		t.Errorf("options %q", o)
	}
	if len(f.opts) != 1 {
		t.Errorf("WithIdmap changed the unmapped backend's options: %v", f.opts)
	}
	for _, sel := range [][2]bool{{true, false}, {false, true}} {
		var env *backend.EnvError
		if _, err := f.WithIdmap(sel[0], sel[1], uid, uid); !errors.As(err, &env) {
			t.Errorf("lowers %v, upper %v: %v, want an environment error", sel[0], sel[1], err)
		}
	}
	own, _ := NewFuseOverlayfs("uidmapping=0:1:1")
	var ue *backend.UsageError
	if _, err := own.WithIdmap(true, true, uid, uid); !errors.As(err, &ue) {
		t.Errorf("uidmapping in --options and --idmap: %v, want a usage error", err)
	}
}

// TestIdmapXattrIDsIsPrecise: a commit finding of an ACL or capability
// that names ids and that the layer lost is the known issue; an xattr the
// layer carries wrong, one that names no id, or another kind is not.
func TestIdmapXattrIDsIsPrecise(t *testing.T) {
	lost := func(name, shown string) snapshot.Finding {
		return snapshot.Finding{Kind: snapshot.KindCommit, Path: "f", Field: "xattrs:" + name, Reference: shown, Merged: "absent"}
	}
	for _, c := range []struct {
		f    snapshot.Finding
		want bool
	}{
		{lost(fsop.XattrACLAccess, "acl u::rw-,u:1002:r--,g::r--,m::r--,o::---"), true},
		{lost(fsop.XattrACLDefault, "acl u::rwx,g::r-x,g:1000:r-x,m::r-x,o::---"), true},
		{lost(fsop.XattrCapability, "caps v3 permitted=0x2000 inheritable=0x0 effective rootid=1000"), true},
		{lost(fsop.XattrCapability, "caps v2 permitted=0x2000 inheritable=0x0 effective"), true}, // read as v2 by its namespace root
		{lost(fsop.XattrACLAccess, "acl u::rw-,g::r--,m::r--,o::---"), false},
		{lost("user.note", "u:1002:r--"), false},
		{snapshot.Finding{Kind: snapshot.KindCommit, Field: "xattrs:" + fsop.XattrACLAccess, Reference: "acl u::rw-,u:1002:r--", Merged: "acl u::rw-,u:1003:r--"}, false},
		{snapshot.Finding{Kind: snapshot.KindXattr, Field: "xattrs:" + fsop.XattrACLAccess, Reference: "acl u::rw-,u:1002:r--", Merged: "absent"}, false},
	} {
		if got := matchIdmapXattrIDs(c.f, &backend.Evidence{}); got != c.want {
			t.Errorf("%v: matched %v, want %v", c.f, got, c.want)
		}
	}
}

// TestIdmapMarkersIsPrecise: a rebuilt copy refused on a marker owned by
// host root is the known issue; on another file or another owner not.
func TestIdmapMarkersIsPrecise(t *testing.T) {
	var match func(snapshot.Finding, *backend.Evidence) bool
	unmapped, _ := NewFuseOverlayfs("")
	for _, k := range unmapped.KnownIssues() {
		if k.ID == KnownFuseOverlayfsIdmapMarkers || k.ID == KnownFuseOverlayfsIdmapXattrIDs {
			t.Errorf("%s is known of fuse-overlayfs without its mapping", k.ID)
		}
	}
	f, _ := NewFuseOverlayfs("uidmapping=100000:0:65536,gidmapping=100000:0:65536")
	for _, k := range f.KnownIssues() {
		if k.ID == KnownFuseOverlayfsIdmapMarkers {
			match = k.Match
		}
	}
	if match == nil {
		t.Fatal("the mapped mount has no known issue " + KnownFuseOverlayfsIdmapMarkers)
	}
	refused := func(p, owner string) snapshot.Finding {
		return snapshot.Finding{Kind: snapshot.KindPersistence, Path: p, Field: "copy", Stage: "rebuilt",
			Reference: "read through the mapping", Merged: "EACCES: owned on disk by " + owner + ", outside the mapping 0:100000:65536"}
	}
	for _, c := range []struct {
		f    snapshot.Finding
		want bool
	}{
		{refused("etc/app/.wh..wh..opq", "0:0"), true},
		{refused("etc/app/data", "0:0"), false},
		{refused("etc/app/.wh..wh..opq", "7:7"), false},
	} {
		if got := match(c.f, &backend.Evidence{}); got != c.want {
			t.Errorf("%v: matched %v, want %v", c.f, got, c.want)
		}
	}
}
