package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend/fuseoverlayfs"
	"github.com/layercheck/layercheck/harness/backend/registry"
	"github.com/layercheck/layercheck/harness/backend/unionfs"
	"github.com/layercheck/layercheck/harness/sandbox"
)

// backendInfo is what `layercheck backends` says about one backend.
type backendInfo struct {
	Name    string
	Package string // the Debian package that provides it
	Program string // the command it runs ("" for the kernel's)
	Doc     string
}

var backendInfos = []backendInfo{
	{"overlay", "the kernel (CONFIG_OVERLAY_FS)", "", "kernel overlayfs via fsopen/fsconfig; --options or a profile: " + overlayProfileNames()},
	{"fuse-overlayfs", "fuse-overlayfs (and fuse3 for fusermount3)", fuseoverlayfs.FuseOverlayfsProgram, "overlayfs's format in FUSE; started with -f, unmounted with fusermount3 -u"},
	{"unionfs-fuse", "unionfs-fuse (and fuse3 for fusermount3)", unionfs.UnionfsFuseProgram, "copy-on-write unionfs; -o cow,allow_other,hide_meta_files,use_ino,suid,dev; deletions in U/.unionfs-fuse/P_HIDDEN~"},
	{"control", "layercheck itself (pure Go, no mount)", "", "a plain directory that stores its layers in overlay's format: the suites' self-test, on which every scenario passes or is skipped"},
}

// cmdBackends lists every backend, installed or not, with its version and
// the features a real test mount showed: user.* xattrs, renameat2 flags,
// redirect (rename of a lower directory), index (hardlinks across
// copy-up), and whether it mounts rootless (in a user namespace as an
// unprivileged user, as --rootless runs).
func cmdBackends(args []string) (int, error) {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Println("usage: layercheck backends   (as root: probes each backend with a real mount)")
		return exitOK, nil
	}
	if len(args) > 0 {
		return 0, &harness.UsageError{Msg: fmt.Sprintf("unexpected argument %q", args[0])}
	}
	if os.Geteuid() != 0 {
		return 0, &harness.EnvError{Msg: "layercheck backends mounts each backend to probe it: run it as root"}
	}
	if err := sandbox.ReexecInMountNamespace(); err != nil {
		return 0, err
	}
	sc, err := sandbox.NewScratch(sandbox.DefaultScratch, true)
	if err != nil {
		return 0, err
	}
	defer sc.Close()
	w := os.Stdout
	for i, bi := range backendInfos {
		printBackend(w, sc.Dir, i, bi)
	}
	printLayouts(w) // layouts.go
	fmt.Fprintf(w, "exec:TEMPLATE\n  any other union filesystem, mounted by a shell command (see 'layercheck run -h'):\n")
	fmt.Fprintf(w, "  placeholders {lowers} (top first, ':'-joined), {lowers_bottom_first}, {lowers:SEP}, {upper}, {work}, {target}; --unmount TEMPLATE\n")
	fmt.Fprintf(w, "  e.g. --backend 'exec:fuse-overlayfs -f -o lowerdir={lowers},upperdir={upper},workdir={work} {target}' --unmount 'fusermount3 -u {target}'\n")
	return exitOK, nil
}

func printBackend(w io.Writer, scratch string, i int, bi backendInfo) {
	fmt.Fprintf(w, "%s\n  %s\n", bi.Name, bi.Doc)
	installed, version := backendVersion(bi)
	if !installed {
		fmt.Fprintf(w, "  installed: no (install the package %s)\n\n", bi.Package)
		return
	}
	fmt.Fprintf(w, "  installed: yes (package %s)\n  version:   %s\n", bi.Package, version)
	b, err := registry.NewBackend(bi.Name, "")
	if err != nil {
		fmt.Fprintf(w, "  probe:     %v\n\n", err)
		return
	}
	dir := filepath.Join(scratch, fmt.Sprintf("probe-%d", i))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	feats, err := harness.ProbeBackend(ctx, b, dir)
	if err != nil && feats == nil {
		fmt.Fprintf(w, "  mounts:    no: %v\n", err)
	} else {
		fmt.Fprintf(w, "  mounts:    yes (probed with a real mount of 2 layers and an upper)\n")
		for _, k := range harness.FeatureNames(feats) {
			v := "yes"
			if feats[k] != "" {
				v = "no: " + feats[k]
			}
			fmt.Fprintf(w, "  %-19s %s\n", k+":", v)
		}
		if err != nil {
			fmt.Fprintf(w, "  unmount:   %v\n", err)
		}
	}
	fmt.Fprintf(w, "  %-19s %s\n\n", "rootless:", probeRootless(bi.Name))
}

// backendVersion says whether the backend is there and its version.
func backendVersion(bi backendInfo) (bool, string) {
	if bi.Program == "" {
		b, _ := os.ReadFile("/proc/filesystems")
		if !strings.Contains(string(b), "\toverlay\n") {
			if _, err := os.Stat("/sys/module/overlay"); err != nil {
				return false, ""
			}
		}
		return true, "kernel " + kernelRelease()
	}
	path, err := exec.LookPath(bi.Program)
	if err != nil {
		return false, ""
	}
	out, _ := exec.Command(path, "--version").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(strings.ToLower(line), "version") && strings.Contains(line, bi.Program) {
			return true, strings.TrimSpace(line) + " (" + path + ")"
		}
	}
	return true, "unknown (" + path + ")"
}

// probeRootless runs `layercheck __probe-rootless NAME`, which mounts the
// backend in a user namespace as an unprivileged user, and says how it went.
func probeRootless(name string) string {
	exe, err := os.Executable()
	if err != nil {
		return "not probed: " + err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, exe, "__probe-rootless", name).CombinedOutput()
	msg := strings.TrimSpace(string(out))
	if err != nil {
		return "no: " + firstLine(msg)
	}
	return msg
}

// cmdProbeRootless is the hidden half of probeRootless: in a user
// namespace (sandbox.ReexecRootless) it mounts a two-layer stack through
// the backend and prints what worked.
func cmdProbeRootless(args []string) int {
	if len(args) != 1 {
		fmt.Println("usage: layercheck __probe-rootless BACKEND")
		return exitUsage
	}
	if err := sandbox.ReexecInMountNamespace(); err != nil {
		return exitOf(err)
	}
	if err := sandbox.ReexecRootless(sandbox.DefaultScratch); err != nil {
		if ce, ok := err.(*sandbox.ChildExit); ok {
			return ce.Code
		}
		fmt.Println(err)
		return exitEnv
	}
	opts := ""
	if args[0] == "overlay" {
		opts = "userxattr"
	}
	b, err := registry.NewBackend(args[0], opts)
	if err != nil {
		fmt.Println(err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	feats, err := harness.ProbeBackend(ctx, b, filepath.Join(sandbox.RootlessScratch(), "probe"))
	if err != nil {
		if note := sandbox.RootlessFuseNote(); note != "" && args[0] != "overlay" {
			fmt.Printf("%v (/dev/fuse: %s)\n", err, note)
		} else {
			fmt.Println(err)
		}
		return exitFindings
	}
	var lacks []string
	for _, k := range harness.FeatureNames(feats) {
		if feats[k] != "" {
			lacks = append(lacks, k)
		}
	}
	how := "yes"
	if opts != "" {
		how += " (with " + opts + ")"
	}
	if len(lacks) > 0 {
		how += "; lacks " + strings.Join(lacks, ", ")
	}
	fmt.Println(how)
	return exitOK
}
