package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/guest"
	"github.com/layercheck/layercheck/cmd/layercheck/internal/kmod"
	"github.com/layercheck/layercheck/cmd/layercheck/internal/vm"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/layout"
)

// vmFlags are `layercheck vm`'s own flags; every other flag is the run's.
type vmFlags struct {
	kernel, kernelDeb, modules, console string
	trees                               []string // --guest-tree
	nfsDebs                             string   // --nfs-debs
	timeout                             time.Duration
	memoryMB, cpus                      int
	tcg                                 bool // --accel tcg
}

// vmFlag is one of vm's own flags, all of which take a value: the
// value's name and what the flag is for (--help), and what it sets.
type vmFlag struct {
	name, arg, help string
	set             func(string) error
}

// own lists vm's flags, in the order --help shows them.
func (f *vmFlags) own() []vmFlag {
	return []vmFlag{
		{"kernel", "IMAGE", "a kernel image (arch/x86/boot/bzImage)", func(v string) error { f.kernel = v; return nil }},
		{"modules", "DIR", "its modules_install tree (lib/modules/VERSION)", func(v string) error { f.modules = v; return nil }},
		{"kernel-deb", "PKG.deb", "a Debian linux-image package (kernel and modules)", func(v string) error { f.kernelDeb = v; return nil }},
		{"accel", "auto|tcg", "KVM where it runs guests, else TCG (default auto)", func(v string) error {
			if v != "auto" && v != "tcg" {
				return fmt.Errorf("%q: auto (KVM where it runs guests, else TCG) or tcg", v)
			}
			f.tcg = v == "tcg"
			return nil
		}},
		{"vm-timeout", "D", "time limit of the whole boot (default 3h)", func(v string) (err error) { f.timeout, err = time.ParseDuration(v); return }},
		{"vm-memory", "MiB", "guest memory (default 2048)", func(v string) (err error) { _, err = fmt.Sscan(v, &f.memoryMB); return }},
		{"vm-cpus", "N", "guest CPUs (default 2)", func(v string) (err error) { _, err = fmt.Sscan(v, &f.cpus); return }},
		{"console", "FILE", "keep the guest's serial console in FILE", func(v string) error { f.console = v; return nil }},
		{"guest-tree", "DIR", "a directory laid over the guest's / (repeatable)", func(v string) error { f.trees = append(f.trees, v); return nil }},
		{"nfs-debs", "DIR", "with --layout nfs: the nfs-kernel-server and nfs-common packages (default: fetched with apt-get download)",
			func(v string) error { f.nfsDebs = v; return nil }},
	}
}

// printVMUsage prints what `layercheck vm --help` shows: its own flags;
// the run's are `layercheck run --help`'s.
func printVMUsage() {
	fmt.Print(`usage: layercheck vm --kernel IMAGE [--modules DIR] | --kernel-deb PACKAGE.deb [vm flags] [run flags]
  boots that kernel in qemu with layercheck as init and runs there what
  'layercheck run' would run with the run flags (layercheck run --help)
`)
	for _, fl := range (&vmFlags{}).own() {
		fmt.Printf("  -%-19s %s\n", fl.name+" "+fl.arg, fl.help)
	}
}

// Run flags naming files: outputs the guest writes (brought back to the
// path asked) and inputs carried into the guest.
var (
	vmOutputFlags = map[string]bool{"json": true, "junit": true, "tap": true, "repro-dir": true, "cpuprofile": true, "commit-dir": true}
	vmInputFlags  = map[string]bool{"baseline": true, "rerun-failed": true}
	vmRefused     = map[string]string{"scratch": "the guest's scratch is its own ext4 disk", "base": "a base tree is not carried into the guest yet"}
)

// flagArg splits args[i] ("-name", "--name", "--name=value") into its name
// and value; next says whether the value is args[i+1].
func flagArg(args []string, i int) (name, value string, next bool) {
	a := args[i]
	if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
		return "", "", false
	}
	name = strings.TrimLeft(a, "-")
	if n, v, ok := strings.Cut(name, "="); ok {
		return n, v, false
	}
	if i+1 < len(args) {
		value = args[i+1]
	}
	return name, value, true
}

// splitVMArgs takes vm's own flags out of args; the rest are the run's.
func splitVMArgs(args []string) (*vmFlags, []string, error) {
	f := &vmFlags{timeout: 3 * time.Hour}
	own := map[string]func(string) error{}
	for _, fl := range f.own() {
		own[fl.name] = fl.set
	}
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, next := flagArg(args, i)
		set, ok := own[name]
		if !ok {
			rest = append(rest, args[i])
			continue
		}
		if next && i+1 >= len(args) {
			return nil, nil, &harness.UsageError{Msg: "vm: --" + name + " needs a value"}
		}
		if next {
			i++
		}
		if err := set(value); err != nil {
			return nil, nil, &harness.UsageError{Setting: name, Msg: err.Error()}
		}
	}
	if (f.kernel == "") == (f.kernelDeb == "") {
		return nil, nil, &harness.UsageError{Msg: "vm: give one of --kernel IMAGE (with --modules DIR) and --kernel-deb PACKAGE.deb"}
	}
	if f.kernelDeb != "" && f.modules != "" {
		return nil, nil, &harness.UsageError{Setting: "modules", Msg: "only with --kernel: a --kernel-deb package has its own"}
	}
	return f, rest, nil
}

// guestRun is the run as the guest sees it: its arguments, with file
// flags pointing at guest paths, and the host files on either side.
type guestRun struct {
	args    []string
	outputs map[string]string // flag -> host path
	inputs  map[string]string // guest path -> host file
}

// hostPaths replaces the guest's output and input paths by the host's.
func (g *guestRun) hostPaths() *strings.Replacer {
	var pairs []string
	for fl, host := range g.outputs {
		pairs = append(pairs, guest.OutDir+"/"+fl, host)
	}
	for guestPath, host := range g.inputs {
		pairs = append(pairs, guestPath, host)
	}
	return strings.NewReplacer(pairs...)
}

// kernelLogOKFlag lets a run write to the kernel log (Plan.KernelLogOK).
const kernelLogOKFlag = "kernel-log-ok"

// rewriteRunArgs points the run's file flags at guest paths, and lets the
// guest's run write to the kernel log: the guest's log is its own, read
// over the console, never the host's.
func rewriteRunArgs(rest []string) (*guestRun, error) {
	g := &guestRun{args: []string{"run", "--" + kernelLogOKFlag}, outputs: map[string]string{}, inputs: map[string]string{}}
	for i := 0; i < len(rest); i++ {
		name, value, next := flagArg(rest, i)
		if why, ok := vmRefused[name]; ok {
			return nil, &harness.UsageError{Setting: name, Msg: "not with vm: " + why}
		}
		if !vmOutputFlags[name] && !vmInputFlags[name] {
			g.args = append(g.args, rest[i])
			continue
		}
		if next {
			i++
		}
		guestPath := "/layercheck-vm-in/" + name
		if vmOutputFlags[name] {
			guestPath = guest.OutDir + "/" + name
			g.outputs[name] = value
		} else {
			g.inputs[guestPath] = value
		}
		g.args = append(g.args, "--"+name+"="+guestPath)
	}
	return g, nil
}

// vmPrograms are carried into the guest where the host has them: the
// FUSE daemons, the mkfs programs of the scratch fallback and layouts,
// and mount(8), which runs mount.nfs for the nfs layout.
var vmPrograms = []string{"fuse-overlayfs", "unionfs-fuse", "unionfs", "fusermount3", "fusermount",
	"mkfs.ext4", "mkfs.xfs", "mkfs.btrfs", "mksquashfs", "mkfs.erofs", "mount", "umount"}

// vmModules are the modules a run may need: the disks', overlay, FUSE,
// loop, and the filesystems the layouts put layers on.
func vmModules(args []string) []string {
	m := []string{"virtio_pci", "virtio_blk", "ext4", "overlay", "fuse", "loop", "xfs", "btrfs", "squashfs", "erofs"}
	for _, a := range args {
		if strings.Contains(a, "nfs") {
			m = append(m, "nfs", "nfsv3", "nfsv4", "nfsd")
		}
	}
	return m
}

// cmdVM boots a kernel in qemu with layercheck as init and runs there:
//
//	layercheck vm --kernel IMAGE [--modules DIR] | --kernel-deb PKG.deb [run flags]
func cmdVM(args []string) (int, error) {
	if wantsHelp(args) {
		printVMUsage()
		return exitOK, nil
	}
	f, rest, err := splitVMArgs(args)
	if err != nil {
		return 0, err
	}
	rf, err := parseRunFlags(rest)
	if err != nil || rf == nil {
		return exitOK, err // bad run flags: said here, before a boot
	}
	g, err := rewriteRunArgs(rest)
	if err != nil {
		return 0, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	k, err := openKernel(f)
	if err != nil {
		return 0, err
	}
	defer k.cleanup()
	if rf.layout == string(layout.NFS) && len(f.trees) == 0 {
		tree, cleanup, err := nfsTree(ctx, f.nfsDebs) // vm_nfs.go
		defer cleanup()
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "layercheck vm: interrupted")
			return 130, nil
		}
		if err != nil {
			return 0, err
		}
		f.trees = []string{tree}
	}
	m := &vm.Machine{Kernel: k.image, Modules: k.modules, Want: vmModules(rest),
		Programs: vmPrograms,
		Inputs:   g.inputs, Trees: f.trees, Args: g.args, MemoryMB: f.memoryMB, CPUs: f.cpus, Timeout: f.timeout,
		Console: os.Stdout, ConsoleLog: f.console, TempDir: vmTempDir(), TCG: f.tcg, Rewrite: g.hostPaths().Replace}
	fmt.Fprintf(os.Stderr, "layercheck vm: booting %s (kernel %s) in qemu\n", k.image, k.release)
	out, err := m.Run(ctx)
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "layercheck vm: interrupted; qemu stopped, its files removed")
		return 130, nil
	}
	if err != nil {
		return 0, &harness.EnvError{Msg: "vm: " + err.Error()}
	}
	return reportVM(out, g, k.release)
}

// reportVM writes the files the guest brought back and says how the boot
// ended; a crash is a finding (exit 1).
func reportVM(out *vm.Outcome, g *guestRun, release string) (int, error) {
	if len(out.Missing) > 0 {
		fmt.Fprintf(os.Stderr, "layercheck vm: modules this kernel has not (what needs them skips): %s\n", strings.Join(out.Missing, ", "))
	}
	if err := writeVMOutputs(out.Files, g); err != nil {
		return 0, err
	}
	if out.Crash == "" {
		if out.ConsoleLog != "" {
			fmt.Fprintf(os.Stderr, "layercheck vm: console log: %s\n", out.ConsoleLog)
		}
		return out.Exit, nil
	}
	running := "none (before the first scenario or after the last)"
	if len(out.Running) > 0 {
		running = strings.Join(out.Running, ", ")
	}
	fmt.Printf("CRASH (%s) %s\n  running: %s\n  console log: %s\n", out.Accel, out.Crash, running, out.ConsoleLog)
	return exitFindings, writeVMCrash(out, release, g) // vm_crash.go
}

// writeVMOutputs writes each output file the guest wrote to the path its
// flag asked for; the guest's paths inside them become the host's.
func writeVMOutputs(files map[string][]byte, g *guestRun) error {
	outputs := g.outputs
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		flagName, rel, _ := strings.Cut(n, "/")
		dst, ok := outputs[flagName]
		if !ok {
			continue
		}
		if rel != "" {
			dst = filepath.Join(dst, rel)
		}
		data := []byte(g.hostPaths().Replace(string(files[n])))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// vmTempDir is where a boot's disks go: /var/tmp (a disk, unlike a tmpfs
// /tmp) unless TMPDIR says otherwise.
func vmTempDir() string {
	if d := os.Getenv("TMPDIR"); d != "" {
		return d
	}
	return "/var/tmp"
}

// kernel is the image to boot and its module tree.
type kernel struct {
	image, modules, release string
	cleanup                 func()
}

// openKernel finds the image and modules the flags name: unpacking a
// package into a temporary directory, or finding the RELEASE directory of
// a modules_install tree.
func openKernel(f *vmFlags) (*kernel, error) {
	k := &kernel{cleanup: func() {}}
	if f.kernelDeb != "" {
		return k, k.unpackDeb(f.kernelDeb)
	}
	k.image = f.kernel
	rel, err := kmod.Release(f.kernel)
	if err != nil {
		return nil, &harness.UsageError{Setting: "kernel", Msg: err.Error()}
	}
	k.release = rel
	dir := f.modules
	if dir == "" {
		if _, err := os.Stat("/lib/modules/" + rel); err == nil {
			dir = "/lib/modules/" + rel // a kernel installed on this machine
		}
	}
	if dir == "" {
		return k, nil // everything built in, or the run says what is missing
	}
	for _, c := range []string{dir, filepath.Join(dir, rel), filepath.Join(dir, "lib/modules", rel)} {
		if _, err := os.Stat(filepath.Join(c, "modules.order")); err == nil {
			k.modules = c
			return k, nil
		}
	}
	return nil, &harness.UsageError{Setting: "modules", Msg: fmt.Sprintf("%s holds no module tree of %s (want DIR, DIR/%s or DIR/lib/modules/%s with modules.order, as modules_install makes)", dir, rel, rel, rel)}
}

// unpackDeb unpacks a linux-image package with dpkg-deb into a temporary
// directory that cleanup removes.
func (k *kernel) unpackDeb(deb string) error {
	if _, err := os.Stat(deb); err != nil {
		return &harness.UsageError{Setting: "kernel-deb", Msg: err.Error()}
	}
	dir, err := os.MkdirTemp(vmTempDir(), "layercheck-kernel-")
	if err != nil {
		return err
	}
	k.cleanup = func() { os.RemoveAll(dir) }
	if out, err := exec.Command("dpkg-deb", "-x", deb, dir).CombinedOutput(); err != nil {
		return &harness.EnvError{Setting: "kernel-deb", Msg: fmt.Sprintf("dpkg-deb -x: %v: %s", err, strings.TrimSpace(string(out)))}
	}
	images, _ := filepath.Glob(filepath.Join(dir, "boot/vmlinuz-*"))
	trees, _ := filepath.Glob(filepath.Join(dir, "lib/modules/*"))
	if len(images) != 1 || len(trees) != 1 {
		return &harness.UsageError{Setting: "kernel-deb", Msg: fmt.Sprintf("%s: want one boot/vmlinuz-* and one lib/modules/*, found %d and %d (a linux-image package?)", deb, len(images), len(trees))}
	}
	k.image, k.modules, k.release = images[0], trees[0], filepath.Base(trees[0])
	return nil
}
