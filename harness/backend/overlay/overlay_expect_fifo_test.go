package overlay

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"golang.org/x/sys/unix"
)

// TestShowsLowerCopySkipsFifos: a name the scenario gave that is a fifo
// in a lower layer is no lower copy, and looking does not wait for a
// writer (it hung a fuzz run: open(2) of a fifo blocks).
func TestShowsLowerCopySkipsFifos(t *testing.T) {
	upper, lower := t.TempDir(), t.TempDir()
	if err := unix.Mkfifo(filepath.Join(lower, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lower, "f"), []byte("ab"), 0o644); err != nil {
		t.Fatal(err)
	}
	ev := &backend.Evidence{Stack: []string{upper, lower}}
	if showsLowerCopy(ev, []string{"fifo"}, 0, 2, "6162", false) {
		t.Fatal("a fifo matched as a lower copy")
	}
	if !showsLowerCopy(ev, []string{"fifo", "f"}, 0, 2, "6162", false) {
		t.Fatal("the regular file's bytes did not match")
	}
}
