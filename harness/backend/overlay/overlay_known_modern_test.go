package overlay

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// TestMetacopyRenameRedirectMaxIsPrecise: the EXDEV of a rename to another
// directory matches only where the source's absolute path is over
// redirect_max and the upper holds the source as a metacopy; a short path,
// a rename within the directory, a directory or an upper without the mark
// stay untagged. The destination missing matches only with the same entry
// left at a long source the reference no longer has.
func TestMetacopyRenameRedirectMaxIsPrecise(t *testing.T) {
	upper := t.TempDir()
	long := "opt/" + strings.Repeat("n", redirectMax()-4) // "/opt/" and the name: one byte over
	plain := "opt/" + strings.Repeat("p", redirectMax()-4)
	for _, p := range []string{long, "opt/short", plain} {
		os.MkdirAll(filepath.Join(upper, filepath.Dir(p)), 0o755)
		if err := os.WriteFile(filepath.Join(upper, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{long, "opt/short"} {
		if err := unix.Lsetxattr(filepath.Join(upper, p), "trusted.overlay.metacopy", nil, 0); err != nil {
			t.Skipf("cannot set trusted.* xattrs here (%v): needs root", err)
		}
	}
	exdev := snapshot.Finding{Kind: snapshot.KindErrno, Field: "rename", Reference: "ok", Merged: "EXDEV"}
	for _, c := range []struct {
		from, to, srcType string
		want              bool
	}{
		{long, "opt/d/x", "file", true},
		{"opt/short", "opt/d/x", "file", false},
		{long, "opt/y", "file", false},
		{long, "opt/d/x", "dir", false},
		{plain, "opt/d/x", "file", false},
	} {
		ev := &backend.Evidence{Op: fsop.Rename{From: c.from, To: c.to}, SourceType: c.srcType, Stack: []string{upper, "lower"}}
		if got := matchMetacopyRenameRedirectMax(exdev, ev); got != c.want {
			t.Errorf("rename %.20s... -> %s (%s): matched %v, want %v", c.from, c.to, c.srcType, got, c.want)
		}
	}
	eperm := exdev
	eperm.Merged = "EPERM"
	if matchMetacopyRenameRedirectMax(eperm, &backend.Evidence{Op: fsop.Rename{From: long, To: "opt/d/x"}, Stack: []string{upper}}) {
		t.Error("an EPERM matched")
	}
	dst := "opt/d/" + filepath.Base(long)
	ref := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{dst: {Type: "file", Digest: "abc"}}}
	merged := &snapshot.Snapshot{Entries: map[string]snapshot.Entry{long: {Type: "file", Digest: "abc"}}}
	missing := snapshot.Finding{Kind: snapshot.KindMissing, Path: dst}
	if !matchMetacopyRenameRedirectMax(missing, &backend.Evidence{Ref: ref, Merged: merged}) {
		t.Error("the destination of the failed rename, missing: not matched")
	}
	merged.Entries[long] = snapshot.Entry{Type: "file", Digest: "other"}
	if matchMetacopyRenameRedirectMax(missing, &backend.Evidence{Ref: ref, Merged: merged}) {
		t.Error("a missing file whose data is nowhere else matched")
	}
}
