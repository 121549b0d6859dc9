package harness

import (
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/control"
	"github.com/layercheck/layercheck/harness/backend/fuseoverlayfs"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/backend/unionfs"
)

// TestCheckBuildWithAsksTheBackends: which layers a runtime backend mounts
// is its own answer (backend.LayerReader): the same format, and kernel
// overlayfs's and fuse-overlayfs's in the trusted namespace both ways; a
// backend with no known format exchanges none.
func TestCheckBuildWithAsksTheBackends(t *testing.T) {
	mk := func(b backend.Backend, err error) backend.Backend {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ovl := mk(overlay.NewOverlay(""))
	ovlUser := mk(overlay.NewOverlay("userxattr"))
	fuse := mk(fuseoverlayfs.NewFuseOverlayfs(""))
	union := mk(unionfs.NewUnionfsFuse(""))
	ctl := control.New()
	cases := []struct {
		runtime, build backend.Backend
		ok             bool
	}{
		{ovl, ovl, true}, {ovl, fuse, true}, {fuse, ovl, true}, {fuse, fuse, true},
		{ovlUser, ovlUser, true}, {ovlUser, fuse, false}, {fuse, ovlUser, false}, {ovlUser, ovl, false},
		{union, union, true}, {union, ovl, false}, {ovl, union, false},
		{ovl, ctl, false}, {ctl, ovl, false},
	}
	for _, c := range cases {
		err := CheckBuildWith(c.runtime, c.build)
		if (err == nil) != c.ok {
			t.Errorf("CheckBuildWith(%s %q, %s %q) = %v, want ok %v", c.runtime.Name(), c.runtime.Options(), c.build.Name(), c.build.Options(), err, c.ok)
		}
	}
}

// TestSameFormatAsksTheFormat: the commit check reads extracted layers
// only in the runtime backend's own format, which the format itself tells
// (backend.SameFormatter): the control backend writes overlayfs's format,
// fuse-overlayfs a format of its own.
func TestSameFormatAsksTheFormat(t *testing.T) {
	ovl, err := overlay.NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	fuse, err := fuseoverlayfs.NewFuseOverlayfs("")
	if err != nil {
		t.Fatal(err)
	}
	own, _ := ovl.WhiteoutFormat("")
	xattr, _ := ovl.WhiteoutFormat("xattr")
	ctl, _ := control.New().WhiteoutFormat("")
	ff, _ := fuse.WhiteoutFormat("")
	for _, c := range []struct {
		a, b backend.WhiteoutFormat
		want bool
	}{{own, xattr, true}, {own, ctl, true}, {own, ff, false}, {ff, own, false}, {ff, ff, true}, {own, nil, false}} {
		if got := sameFormat(c.a, c.b); got != c.want {
			t.Errorf("sameFormat(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
