package ovlformat

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/testenv"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// TestOvlLowerDir: the lookup that decides whether a rename's EXDEV is the
// documented one follows overlayfs's rules on a hand-made stack: a lower
// or merged directory is one, a directory only the upper holds (made
// there, opaque there, under an opaque parent, over a whiteout) is not,
// nor is a file.
func TestOvlLowerDir(t *testing.T) {
	testenv.RequireRoot(t)
	tmp := t.TempDir()
	up, mid, low := filepath.Join(tmp, "u"), filepath.Join(tmp, "l1"), filepath.Join(tmp, "l0")
	mk := func(dirs ...string) {
		for _, d := range dirs {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk(up, filepath.Join(low, "lower/sub"), filepath.Join(low, "merged"), filepath.Join(up, "merged"),
		filepath.Join(up, "upperonly"), filepath.Join(low, "opq"), filepath.Join(up, "opq"),
		filepath.Join(low, "gone"), filepath.Join(up, "gone"), filepath.Join(low, "hidden/child"),
		filepath.Join(up, "hidden/child"), filepath.Join(low, "wh"), filepath.Join(mid, "mid"))
	for _, d := range []string{"opq", "hidden"} {
		if err := unix.Lsetxattr(filepath.Join(up, d), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
			t.Skipf("trusted xattrs: %v", err)
		}
	}
	// "gone" is deleted in the middle layer (a whiteout) and made again in the upper.
	if err := unix.Mknod(filepath.Join(mid, "gone"), unix.S_IFCHR|0o600, 0); err != nil {
		t.Fatal(err)
	}
	// "wh" is deleted in the upper.
	if err := unix.Mknod(filepath.Join(up, "wh"), unix.S_IFCHR|0o600, 0); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(low, "file"), nil, 0o644)
	stack := []string{up, mid, low}
	for p, want := range map[string]bool{
		"lower": true, "lower/sub": true, "merged": true, "mid": true,
		"upperonly": false, "opq": false, "gone": false, "hidden/child": false, "wh": false,
		"file": false, "missing": false, "file/x": false, ".": false,
	} {
		if got := ovlLowerDir(stack, p); got != want {
			t.Errorf("ovlLowerDir(%q) = %v, want %v", p, got, want)
		}
	}
	if ovlLowerDir(nil, "lower") || ovlLowerDir([]string{low}, "lower") {
		t.Error("a stack without lowers (a plain directory) has no lower directory")
	}
}

// TestMatchRenameDirEXDEVIsPrecise: the documented EXDEV explains a rename
// that moves a lower or merged directory (the source, or the target of an
// exchange) and nothing else.
func TestMatchRenameDirEXDEVIsPrecise(t *testing.T) {
	testenv.RequireRoot(t)
	tmp := t.TempDir()
	up, low := filepath.Join(tmp, "u"), filepath.Join(tmp, "l")
	for _, d := range []string{filepath.Join(up, "new"), filepath.Join(low, "old")} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(filepath.Join(low, "f"), nil, 0o644)
	stack := []string{up, low}
	exdev := snapshot.Finding{Kind: snapshot.KindErrno, Merged: "EXDEV"}
	for _, c := range []struct {
		op   fsop.Rename
		f    snapshot.Finding
		want bool
	}{
		{fsop.Rename{From: "old", To: "x"}, exdev, true},
		{fsop.Rename{From: "new", To: "x"}, exdev, false},                             // a directory only the upper holds must move
		{fsop.Rename{From: "f", To: "x"}, exdev, false},                               // files always move
		{fsop.Rename{From: "f", To: "old", Flags: unix.RENAME_EXCHANGE}, exdev, true}, // the exchange moves "old"
		{fsop.Rename{From: "new", To: "old"}, exdev, false},                           // over a lower directory: only the source moves
		{fsop.Rename{From: "old", To: "x"}, snapshot.Finding{Kind: snapshot.KindErrno, Merged: "EACCES"}, false},
	} {
		if got := MatchRenameDirEXDEV(c.f, &backend.Evidence{Op: c.op, Stack: stack}); got != c.want {
			t.Errorf("%s -> %s (flags %d), %s: matched %v, want %v", c.op.From, c.op.To, c.op.Flags, c.f.Merged, got, c.want)
		}
	}
	if MatchRenameDirEXDEV(exdev, &backend.Evidence{Op: fsop.Rename{From: "old", To: "x"}}) {
		t.Error("EXDEV on a plain directory (no stack) matched")
	}
}
