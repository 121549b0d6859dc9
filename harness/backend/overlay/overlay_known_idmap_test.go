package overlay

import (
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestUnmappedOwnerChownIsPrecise: the known issue takes a chown refused
// with EOVERFLOW that the reference allowed, and no other errno finding;
// it carries the owner and access findings it leaves behind.
func TestUnmappedOwnerChownIsPrecise(t *testing.T) {
	var k backend.KnownIssue
	for _, ki := range idmapKnownIssues() {
		if ki.ID == KnownIdmapUnmappedOwnerChown {
			k = ki
		}
	}
	if k.Match == nil || k.Follows == nil {
		t.Fatal("not listed, or without Match and Follows")
	}
	errno := func(field, merged, ref string) snapshot.Finding {
		return snapshot.Finding{Kind: snapshot.KindErrno, Field: field, Merged: merged, Reference: ref}
	}
	for f, want := range map[snapshot.Finding]bool{
		errno("chown", "EOVERFLOW", "ok"):        true,
		errno("lchown", "EOVERFLOW", "ok"):       true,
		errno("chown", "EOVERFLOW", "EOVERFLOW"): false,
		errno("chown", "EPERM", "ok"):            false,
		errno("chmod", "EOVERFLOW", "ok"):        false,
	} {
		if got := k.Match(f, nil); got != want {
			t.Errorf("%+v: matched %v, want %v", f, got, want)
		}
	}
	if !k.Follows(snapshot.Finding{Kind: snapshot.KindOwner}) || k.Follows(snapshot.Finding{Kind: snapshot.KindContent}) {
		t.Error("follows the wrong findings")
	}
}
