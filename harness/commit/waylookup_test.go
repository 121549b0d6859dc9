package commit

import (
	"os"
	"testing"
)

// TestOverlayRedirectThroughLowerRedirect: a directory moved out of a
// directory that a lower layer renamed (a redirect whose absolute path
// runs through a redirected lower directory, as ovl_lookup_single follows
// it) is carried whole with its children.
func TestOverlayRedirectThroughLowerRedirect(t *testing.T) {
	needRoot(t)
	d := dirs(t, "L0", "L1", "W1", "U", "W", "M")
	noMounts(t, d["base"])
	writeFile(t, d["L0"]+"/srv/deep/a/b/c/leaf", "leaf\n", 0o644)
	umount := mountOverlay(t, d["M"], "lowerdir="+d["L0"]+",upperdir="+d["L1"]+",workdir="+d["W1"]+",redirect_dir=on,index=off")
	must(t, os.Rename(d["M"]+"/srv/deep", d["M"]+"/srv/d2"))
	umount()
	lowers := []string{d["L1"], d["L0"]}
	umount = mountOverlay(t, d["M"], "lowerdir="+d["L1"]+":"+d["L0"]+",upperdir="+d["U"]+",workdir="+d["W"]+",redirect_dir=on,index=off")
	must(t, os.Rename(d["M"]+"/srv/d2/a/b", d["M"]+"/srv/b"))
	merged := snapshot(t, d["M"], nil)
	umount()
	if v, _, _ := getXattr(d["U"]+"/srv/b", "trusted.overlay.redirect"); v != "/srv/d2/a/b" {
		t.Fatalf("srv/b redirect = %q, want /srv/d2/a/b", v)
	}
	got, _ := roundTrip(t, d["U"], lowers, Overlay, nil)
	for _, diff := range diffSnaps(merged, got) {
		t.Errorf("round trip differs from the merged view: %s", diff)
	}
}

// TestOverlayIndexRenamedHardlink: with index=on, a lower hardlink name
// renamed after its copy-up stays one inode with the other lower name; its
// overlay.origin names the lower inode, and the tar links them.
func TestOverlayIndexRenamedHardlink(t *testing.T) {
	needRoot(t)
	s := newStackDirs(t)
	umount := mountOverlay(t, s.M, s.overlayOpts("index=on,redirect_dir=on"))
	must(t, os.Rename(s.M+"/hl1", s.M+"/hl1.moved"))
	merged := snapshot(t, s.M, nil)
	umount()
	if e := merged["hl2"]; e.Links != "hl1.moved,hl2" {
		t.Fatalf("index=on did not keep hl1.moved and hl2 one inode: %+v", e)
	}
	checkRoundTrip(t, s, Overlay, merged, nil)
}
