package guest

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteOut writes the exit code and an output tree to a "disk" (a
// file as big as a small disk, as the guest's /dev/vdb) and reads it back.
func TestWriteOut(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(filepath.Join(out, "repro-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "repro-dir", "a.sh"), []byte("echo a\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	disk := filepath.Join(dir, "disk")
	if err := os.WriteFile(disk, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeOut(disk, out, 1); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(disk)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]string{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[h.Name] = string(b)
	}
	if got[ExitEntry] != "1\n" || got["repro-dir/a.sh"] != "echo a\n" {
		t.Fatalf("the disk holds %q", got)
	}
}
