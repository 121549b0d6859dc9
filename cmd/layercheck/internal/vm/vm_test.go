package vm

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLddPaths(t *testing.T) {
	out := "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibfuse3.so.3 => /lib/x86_64-linux-gnu/libfuse3.so.3 (0x00007f)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n"
	got := lddPaths(out)
	want := []string{"/lib/x86_64-linux-gnu/libfuse3.so.3", "/lib64/ld-linux-x86-64.so.2"}
	if !slices.Equal(got, want) {
		t.Fatalf("lddPaths = %q, want %q", got, want)
	}
}

// TestReadOutBlank: a disk the guest never wrote (it died) has no exit
// code.
func TestReadOutBlank(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.img")
	if err := makeBlank(p, 1<<20); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := readOut(p); err != nil || ok {
		t.Fatalf("readOut of a blank disk: ok %v, err %v; want no result", ok, err)
	}
}

func TestRunningFromTrace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "trace")
	trace := "start a/1\r\nstart a/2\r\ndone a/1\r\nstart b/1\r\n"
	if err := os.WriteFile(p, []byte(trace), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := running(p); !slices.Equal(got, []string{"a/2", "b/1"}) {
		t.Fatalf("running = %q, want a/2 and b/1", got)
	}
}

// TestInitramfsListed writes an initramfs with this test binary as init
// and has cpio(1) list it.
func TestInitramfsListed(t *testing.T) {
	if _, err := exec.LookPath("cpio"); err != nil {
		t.Skip("cpio(1) not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "initrd")
	r := &initramfs{init: self, files: map[string]string{"/layercheck-vm-in/baseline": self}}
	if err := r.write(dst); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command("cpio", "-t", "--quiet")
	cmd.Stdin = f
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"init", "layercheck-vm.json", "layercheck-vm-in/baseline", "etc/passwd", "dev"} {
		if !slices.Contains(strings.Fields(string(out)), want) {
			t.Errorf("cpio -t lacks %s:\n%s", want, out)
		}
	}
}

func TestCrashOf(t *testing.T) {
	for _, c := range []struct {
		end      ending
		finished bool
		want     string
	}{
		{ending{}, true, ""},
		{ending{panicLine: "BUG: in a finding the run printed"}, true, ""},
		{ending{panicLine: "Kernel panic - not syncing: Fatal exception"}, false, "Kernel panic - not syncing: Fatal exception"},
		{ending{status: "qemu exit 0"}, false, "died: the guest powered off without a result (qemu exit 0)"},
		{ending{timedOut: true}, true, "hung: the guest did not finish within 1m0s"},
	} {
		if got := crashOf(c.end, c.finished, time.Minute); got != c.want {
			t.Errorf("crashOf(%+v, %v) = %q, want %q", c.end, c.finished, got, c.want)
		}
	}
}

// TestTreeInInitramfs lays a directory with a file, a symlink and an
// empty directory over the initramfs.
func TestTreeInInitramfs(t *testing.T) {
	if _, err := exec.LookPath("cpio"); err != nil {
		t.Skip("cpio(1) not installed")
	}
	tree := t.TempDir()
	for _, d := range []string{"usr/sbin", "var/lib/nfs/sm"} {
		if err := os.MkdirAll(filepath.Join(tree, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(tree, "usr/sbin/exportfs"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("usr/sbin", filepath.Join(tree, "sbin")); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	dst := filepath.Join(t.TempDir(), "initrd")
	r := &initramfs{init: self, files: map[string]string{}, trees: []string{tree}}
	if err := r.write(dst); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("cpio", "-t", "-v", "--quiet", "-F", dst)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"usr/sbin/exportfs", "var/lib/nfs/sm", "sbin -> usr/sbin"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("cpio -tv lacks %q:\n%s", want, out)
		}
	}
}

// TestPVMOnly checks that a /dev/kvm driven by kvm_pvm alone is taken for
// one that cannot boot a distribution's kernel, and one with kvm_intel or
// kvm_amd beside it is not.
func TestPVMOnly(t *testing.T) {
	for _, c := range []struct {
		mods []string
		want bool
	}{
		{[]string{"kvm", "kvm_pvm"}, true},
		{[]string{"kvm", "kvm_pvm", "kvm_intel"}, false},
		{[]string{"kvm", "kvm_amd"}, false},
		{[]string{"kvm"}, false},
	} {
		dir := t.TempDir()
		for _, m := range c.mods {
			if err := os.Mkdir(filepath.Join(dir, m), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if got := pvmOnly(dir); got != c.want {
			t.Errorf("modules %v: pvmOnly %v, want %v", c.mods, got, c.want)
		}
	}
}

func TestParseDepends(t *testing.T) {
	out := "nfs-common\n  PreDepends: init-system-helpers\n  Depends: libc6\n |Depends: libtirpc3\n  Depends: <python3:any>\n    python3\n  Depends: libwrap0:any\n"
	got := parseDepends(out)
	want := []string{"init-system-helpers", "libc6", "libtirpc3", "libwrap0"}
	if !slices.Equal(got, want) {
		t.Fatalf("parseDepends = %q, want %q", got, want)
	}
}

// TestUnpackDebs builds a package with dpkg-deb and checks that its files
// land in the tree as the package holds them.
func TestUnpackDebs(t *testing.T) {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("no dpkg-deb")
	}
	dir := t.TempDir()
	pkg := filepath.Join(dir, "pkg")
	for p, data := range map[string]string{
		"DEBIAN/control":    "Package: lc-test\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n",
		"usr/sbin/lc-tool":  "#!/bin/sh\n",
		"etc/lc/config.txt": "x\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(pkg, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, p), []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	deb := filepath.Join(dir, "lc-test.deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "-b", pkg, deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -b: %v: %s", err, out)
	}
	root := filepath.Join(dir, "root")
	if err := UnpackDebs(t.Context(), root, []string{deb}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "usr/sbin/lc-tool")); err != nil || string(b) != "#!/bin/sh\n" {
		t.Errorf("usr/sbin/lc-tool: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(root, "DEBIAN")); err == nil {
		t.Error("the control files landed in the tree")
	}
	if err := UnpackDebs(t.Context(), root, []string{filepath.Join(dir, "missing.deb")}); err == nil {
		t.Error("a missing .deb unpacked without error")
	}
}
