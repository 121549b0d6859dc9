package cpio

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestListedByCpio writes an archive and has GNU cpio list and unpack it:
// the format is what the kernel's initramfs unpacker reads, and cpio(1)
// reads the same format.
func TestListedByCpio(t *testing.T) {
	if _, err := exec.LookPath("cpio"); err != nil {
		t.Skip("cpio(1) not installed")
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	must(t, w.File("/init", 0o755, []byte("#!/bin/sh\n")))
	must(t, w.File("lib/modules/6.1/kernel/a.ko", 0o644, []byte("odd length")))
	must(t, w.Symlink("bin/sh", "/init"))
	must(t, w.Dir("dev", 0o755))
	must(t, w.Close())

	cmd := exec.Command("cpio", "-t", "--quiet")
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cpio -t: %v", err)
	}
	got := strings.Fields(string(out))
	want := []string{"init", "lib", "lib/modules", "lib/modules/6.1", "lib/modules/6.1/kernel", "lib/modules/6.1/kernel/a.ko", "bin", "bin/sh", "dev"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("cpio -t lists %q, want %q", got, want)
	}

	dir := t.TempDir()
	cmd = exec.Command("cpio", "-i", "-d", "--quiet", "--no-absolute-filenames")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio -i: %v: %s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "lib/modules/6.1/kernel/a.ko"))
	if err != nil || string(data) != "odd length" {
		t.Fatalf("a.ko unpacked as %q, %v", data, err)
	}
	st, err := os.Stat(filepath.Join(dir, "init"))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("init unpacked with %v, %v", st.Mode(), err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "bin/sh")); err != nil || target != "/init" {
		t.Fatalf("bin/sh links to %q, %v", target, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
