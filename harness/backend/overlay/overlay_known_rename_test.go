package overlay

import (
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestFailedRenameOpaqueFollowsTheMountsFormat: the known issue reads the
// opaque mark where the mount keeps it, trusted.overlay.* or, with
// userxattr (rootless), user.overlay.*, and not the other one.
func TestFailedRenameOpaqueFollowsTheMountsFormat(t *testing.T) {
	for opts, prefix := range map[string]string{"": "trusted.overlay.", "userxattr": "user.overlay."} {
		o, err := NewOverlay(opts)
		if err != nil {
			t.Fatal(err)
		}
		var issue *backend.KnownIssue
		for _, k := range o.KnownIssues() {
			if k.ID == KnownFailedRenameOpaque {
				issue = &k
			}
		}
		if issue == nil {
			t.Fatalf("options %q: no %s", opts, KnownFailedRenameOpaque)
		}
		ev := &backend.Evidence{Op: fsop.Rename{From: "a", To: "b"}}
		for _, p := range []string{"trusted.overlay.", "user.overlay."} {
			f := snapshot.Finding{Kind: snapshot.KindFailedOpCopyUp, Path: "b", Field: "ENOTEMPTY, yet upper xattrs:" + p + "opaque", Reference: "absent", Merged: "y"}
			if got := issue.Match(f, ev); got != (p == prefix) {
				t.Errorf("options %q, mark %sopaque: matched %v", opts, p, got)
			}
		}
	}
}
