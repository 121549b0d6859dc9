package overlay

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestUpperLinkOwnInodesIsNoCopyUpSplit: two names the upper holds as one
// inode, seen apart in the merged view, are the known issue, not the
// documented copy-up split; one name copied up alone is the documented
// split.
func TestUpperLinkOwnInodesIsNoCopyUpSplit(t *testing.T) {
	upper := t.TempDir()
	os.WriteFile(filepath.Join(upper, "a"), []byte("x"), 0o600)
	os.Link(filepath.Join(upper, "a"), filepath.Join(upper, "b"))
	ref := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{
		"a": {Type: "file", Mode: "0600", Links: []string{"b"}, Access: map[string]string{"other": "---"}},
		"b": {Type: "file", Mode: "0600", Links: []string{"a"}, Access: map[string]string{"other": "---"}},
		"c": {Type: "file", Mode: "0600", Links: []string{"d"}},
		"d": {Type: "file", Mode: "0600", Links: []string{"c"}},
	}}
	merged := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{
		"a": {Type: "file", Mode: "0600", Access: map[string]string{"other": "r--"}},
		"b": {Type: "file", Mode: "0600", Access: map[string]string{"other": "---"}},
		"c": {Type: "file", Mode: "0600"},
		"d": {Type: "file", Mode: "0644"},
	}}
	os.WriteFile(filepath.Join(upper, "c"), []byte("x"), 0o600) // c copied up alone
	ev := &backend.Evidence{Ref: ref, Merged: merged, Upper: upper}
	access := snapshot.Finding{Kind: snapshot.KindAccess, Path: "a", Field: "other", Reference: "---", Merged: "r--", Widened: true}
	link := snapshot.Finding{Kind: snapshot.KindLink, Path: "a", Field: "links", Reference: "b", Merged: "none"}
	if matchSplitHardlink(link, ev) {
		t.Error("names linked in the upper matched the documented copy-up split")
	}
	if !matchUpperLinkOwnInodes(link, ev) || !matchUpperLinkOwnInodes(access, ev) {
		t.Error("names linked in the upper, seen apart, did not match the known issue")
	}
	split := snapshot.Finding{Kind: snapshot.KindMode, Path: "d", Field: "mode", Reference: "0600", Merged: "0644"}
	if !matchSplitHardlink(split, ev) || matchUpperLinkOwnInodes(split, ev) {
		t.Error("a name copied up alone is the documented split, not the known issue")
	}
	persist := snapshot.Finding{Kind: snapshot.KindPersistence, Path: "a", Field: "access other", Reference: "r--", Merged: "---"}
	if !matchUpperLinkOwnInodes(persist, ev) {
		t.Error("the remount that joins the names again did not match the known issue")
	}
}
