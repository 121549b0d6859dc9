package overlay

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
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

// TestUpperLinkOwnInodesTakesSymlinksAndFifos: a symlink or fifo linked
// through the merged view is one inode in the upper, as a file is (the
// nested layout's times-copy-up-by-link-of-symlink and -fifo): the names
// seen apart, and joined after the remount, are the known issue, not the
// documented copy-up split; a directory never is.
func TestUpperLinkOwnInodesTakesSymlinksAndFifos(t *testing.T) {
	upper := t.TempDir()
	if err := os.Symlink("t", filepath.Join(upper, "s")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(upper, "s"), filepath.Join(upper, "s.link")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(upper, "p"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(upper, "p"), filepath.Join(upper, "p.link")); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(upper, "d"), 0o755)
	ref := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{
		"s": {Type: "symlink", Links: []string{"s.link"}}, "s.link": {Type: "symlink", Links: []string{"s"}},
		"p": {Type: "fifo", Links: []string{"p.link"}}, "p.link": {Type: "fifo", Links: []string{"p"}},
		"d": {Type: "dir", Links: []string{"s"}},
	}}
	merged := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{"s": {Type: "symlink"}, "s.link": {Type: "symlink"},
		"p": {Type: "fifo"}, "p.link": {Type: "fifo"}, "d": {Type: "dir"}}}
	ev := &backend.Evidence{Ref: ref, Merged: merged, Upper: upper}
	for _, p := range []string{"s", "p"} {
		link := snapshot.Finding{Kind: snapshot.KindLink, Path: p, Field: "links", Reference: p + ".link", Merged: "none"}
		persist := snapshot.Finding{Kind: snapshot.KindPersistence, Path: p, Field: "link links", Reference: "none", Merged: p + ".link"}
		if !matchUpperLinkOwnInodes(link, ev) || !matchUpperLinkOwnInodes(persist, ev) || matchSplitHardlink(link, ev) {
			t.Errorf("%s: names linked in the upper seen apart: want the known issue, not the documented split", p)
		}
	}
	if matchUpperLinkOwnInodes(snapshot.Finding{Kind: snapshot.KindPersistence, Path: "d", Field: "link links"}, ev) {
		t.Error("a directory matched")
	}
}
