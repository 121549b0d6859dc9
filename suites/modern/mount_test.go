package modern

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRefusalReasonComesFromTheContextLog: lowerdir+ after datadir+ is
// refused with the reason in the fs context's log, which detached reads
// from the fsopen descriptor (so the kernel log never gets it), and
// wantRefusal holds the check to that reason: a wrong reason, another
// errno or a mount that worked is a finding. Needs root and a kernel
// with datadir+.
func TestRefusalReasonComesFromTheContextLog(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounts overlays: needs root")
	}
	dir := t.TempDir()
	for _, n := range []string{"a", "data", "b"} {
		if err := os.Mkdir(filepath.Join(dir, n), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, err := detached(str("lowerdir+", filepath.Join(dir, "a")), str("datadir+", filepath.Join(dir, "data")), str("lowerdir+", filepath.Join(dir, "b")))
	if errnoOf(err) == unix.EINVAL && strings.HasPrefix(err.Error(), "datadir+") {
		t.Skipf("no datadir+: %v", err)
	}
	findings := func(err error, reason string) int {
		return len(run(context.Background(), "c", dir, func(c *T) { wantRefusal(c, "x", err, reason, "cite") }).Findings)
	}
	if n := findings(err, "regular lower layers cannot follow data layers"); n != 0 {
		t.Errorf("%v: %d findings, want the reason found in the context's log", err, n)
	}
	if n := findings(err, "some other reason"); n != 1 {
		t.Errorf("a reason the log does not hold: %d findings, want 1", n)
	}
	if n := findings(&mountErr{"x", unix.EPERM, "[e overlay: regular lower layers cannot follow data layers]"}, "regular lower layers"); n != 1 {
		t.Errorf("EPERM: %d findings, want 1", n)
	}
	if n := findings(nil, "regular lower layers"); n != 1 {
		t.Errorf("no refusal: %d findings, want 1", n)
	}
}
