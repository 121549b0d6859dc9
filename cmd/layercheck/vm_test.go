package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestVMDebian61 boots Debian 12's kernel (6.1) in qemu with layercheck as
// init and runs one suite at depth 2 there: it must run to the end and
// fail only what suites/baseline-6.1.txt holds. .ci/run fetches the
// package (apt-get download) and names it in LAYERCHECK_TEST_KERNEL_DEB.
func TestVMDebian61(t *testing.T) {
	deb := os.Getenv("LAYERCHECK_TEST_KERNEL_DEB")
	if deb == "" {
		t.Skip("LAYERCHECK_TEST_KERNEL_DEB is not set (a linux-image-*-cloud-amd64-unsigned .deb; .ci/run fetches one)")
	}
	if _, err := os.Stat(deb); err != nil {
		t.Skipf("LAYERCHECK_TEST_KERNEL_DEB: %v", err)
	}
	for _, p := range []string{"qemu-system-x86_64", "dpkg-deb", "mkfs.ext4", "go"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not installed (Debian: qemu-system-x86, dpkg, e2fsprogs; go to build the static init)", p)
		}
	}
	if testing.Short() {
		t.Skip("-short: a boot under TCG takes minutes")
	}
	dir := t.TempDir()
	results := filepath.Join(dir, "r.json")
	args := []string{"vm", "--kernel-deb", deb, "--vm-timeout", "30m", "--console", filepath.Join(dir, "console.log"),
		"--suite", "whiteout", "--depth", "2", "--baseline", "../../suites/baseline-6.1.txt", "--json", results}
	code := realMain(args)
	r, err := readReport(results)
	if err != nil {
		console, _ := os.ReadFile(filepath.Join(dir, "console.log"))
		t.Fatalf("no results came back (exit %d): %v\nconsole:\n%s", code, err, console)
	}
	if r.Target.Kernel == "" || r.Target.Kernel == kernelRelease() {
		t.Errorf("the results name kernel %q: the guest's, not this machine's (%s), was expected", r.Target.Kernel, kernelRelease())
	}
	if r.Summary.Scenarios == 0 || r.Summary.Error != 0 {
		t.Errorf("summary %+v: want scenarios run to the end with no error", r.Summary)
	}
	if r.Baseline == nil || len(r.Baseline.New) != 0 {
		t.Errorf("deviations not in suites/baseline-6.1.txt: %+v", r.Baseline)
	}
	if code != exitOK {
		t.Errorf("layercheck vm exited %d, want 0", code)
	}
}

// TestVMDebian61NFS boots the same kernel with the nfs layout, whose
// programs `layercheck vm` fetches itself (apt-get download of Debian's
// nfs-kernel-server and nfs-common, unpacked, never installed), and runs
// a few whiteout scenarios over the guest's own NFS server: they must run
// to the end, over NFS, without an error. (Deviations are not gated: NFS
// lower layers have their own, such as system.nfs4_acl.)
func TestVMDebian61NFS(t *testing.T) {
	deb := os.Getenv("LAYERCHECK_TEST_KERNEL_DEB")
	if deb == "" {
		t.Skip("LAYERCHECK_TEST_KERNEL_DEB is not set (a linux-image-*-cloud-amd64-unsigned .deb; .ci/run fetches one)")
	}
	for _, p := range []string{"qemu-system-x86_64", "dpkg-deb", "mkfs.ext4", "go", "apt-get", "apt-cache"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not installed", p)
		}
	}
	if testing.Short() {
		t.Skip("-short: a boot under TCG takes minutes")
	}
	nfsDirs := filepath.Join(vmTempDir(), "layercheck-nfs-*")
	before, _ := filepath.Glob(nfsDirs) // other runs' (a run going on beside this one)
	dir := t.TempDir()
	results := filepath.Join(dir, "r.json")
	args := []string{"vm", "--kernel-deb", deb, "--vm-timeout", "30m", "--console", filepath.Join(dir, "console.log"),
		"--layout", "nfs", "--suite", "whiteout", "--depth", "2", "--focus", "^whiteout/(delete-file-in-layer|delete-populated-dir-in-layer|recreate-file-same-layer)", "--json", results}
	code := realMain(args)
	r, err := readReport(results)
	if err != nil {
		console, _ := os.ReadFile(filepath.Join(dir, "console.log"))
		t.Fatalf("no results came back (exit %d): %v\nconsole:\n%s", code, err, console)
	}
	if r.Target.Layout != "nfs" {
		t.Errorf("layout %q, want nfs", r.Target.Layout)
	}
	if r.Summary.Pass+r.Summary.Fail+r.Summary.XFail == 0 || r.Summary.Error != 0 {
		t.Errorf("summary %+v: want scenarios that ran over NFS, none in error", r.Summary)
	}
	if code != exitOK && code != exitFindings {
		t.Errorf("layercheck vm exited %d, want %d or %d", code, exitOK, exitFindings)
	}
	after, _ := filepath.Glob(nfsDirs)
	for _, d := range after {
		if !slices.Contains(before, d) {
			t.Errorf("left behind: %s", d)
		}
	}
}

// TestRewriteRunArgs checks that file flags point at guest paths and
// come back to the host's, and that the guest's run may write to its own
// kernel log (--kernel-log-ok: the checks that make the kernel print run
// there).
func TestRewriteRunArgs(t *testing.T) {
	g, err := rewriteRunArgs([]string{"--suite", "whiteout", "--json", "out/r.json", "--baseline=b.txt", "-repro-dir", "rep", "-v"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"run", "--kernel-log-ok", "--suite", "whiteout", "--json=/var/tmp/layercheck-vm-out/json", "--baseline=/layercheck-vm-in/baseline", "--repro-dir=/var/tmp/layercheck-vm-out/repro-dir", "-v"}
	if strings.Join(g.args, " ") != strings.Join(want, " ") {
		t.Errorf("guest args %q, want %q", g.args, want)
	}
	if g.inputs["/layercheck-vm-in/baseline"] != "b.txt" || g.outputs["json"] != "out/r.json" {
		t.Errorf("inputs %v, outputs %v", g.inputs, g.outputs)
	}
	dir := t.TempDir()
	g.outputs = map[string]string{"json": filepath.Join(dir, "r.json"), "repro-dir": filepath.Join(dir, "rep")}
	files := map[string][]byte{"json": []byte(`{"repro":"/var/tmp/layercheck-vm-out/repro-dir/x.sh"}`), "repro-dir/x.sh": []byte("#!/bin/sh\n"), "cpuprofile": []byte("not asked")}
	if err := writeVMOutputs(files, g); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil || !strings.Contains(string(b), filepath.Join(dir, "rep", "x.sh")) {
		t.Errorf("r.json: %s, %v: want the guest path replaced by the host's", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "rep", "x.sh")); err != nil {
		t.Error(err)
	}
}

// TestVMRefusesBadFlags checks the flag errors that come before a boot.
func TestVMRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"vm", "--suite", "whiteout"}, // no kernel
		{"vm", "--kernel", "a", "--kernel-deb", "b"},
		{"vm", "--kernel-deb", "x.deb", "--modules", "m"},
		{"vm", "--kernel-deb", "x.deb", "--scratch", "/tmp"},
		{"vm", "--kernel-deb", "x.deb", "--accel", "hvf"},
	} {
		if code := realMain(args); code != exitUsage {
			t.Errorf("layercheck %q: exit %d, want %d", args, code, exitUsage)
		}
	}
}
