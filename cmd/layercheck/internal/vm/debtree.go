package vm

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// NFSPackages are the Debian packages whose programs the nfs layout runs
// in the guest: exportfs, rpc.nfsd and rpc.mountd (nfs-kernel-server) and
// mount.nfs (nfs-common). Their libraries come from the host where it has
// them installed, else from their own packages (DownloadDebs).
var NFSPackages = []string{"nfs-kernel-server", "nfs-common"}

// DownloadDebs downloads the packages pkgs and the libraries they need
// that this machine has not installed ("lib*" dependencies, followed
// until one is installed) with `apt-get download` into dir, an existing
// directory, and returns the .deb files. Nothing is installed: the
// packages' maintainer scripts (nfs-kernel-server's would start a
// server) never run.
func DownloadDebs(ctx context.Context, dir string, pkgs []string) ([]string, error) {
	want, err := missingLibs(ctx, pkgs)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "apt-get", append([]string{"download", "-qq"}, append(pkgs, want...)...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("apt-get download %s: %v: %s", strings.Join(append(pkgs, want...), " "), err, strings.TrimSpace(string(out)))
	}
	debs, err := filepath.Glob(filepath.Join(dir, "*.deb"))
	if err == nil && len(debs) < len(pkgs) {
		err = fmt.Errorf("apt-get download left %d .deb files in %s for %d packages", len(debs), dir, len(pkgs))
	}
	return debs, err
}

// missingLibs walks the Depends and Pre-Depends of pkgs, breadth first,
// through the "lib*" packages this machine has not installed, and returns
// those: what the programs of pkgs load and the host cannot lend them.
func missingLibs(ctx context.Context, pkgs []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for level := pkgs; len(level) > 0; {
		deps, err := depends(ctx, level)
		if err != nil {
			return nil, err
		}
		level = nil
		for _, d := range deps {
			if seen[d] || !strings.HasPrefix(d, "lib") {
				continue
			}
			seen[d] = true
			if installed(ctx, d) {
				continue
			}
			out = append(out, d)
			level = append(level, d)
		}
	}
	sort.Strings(out)
	return out, nil
}

// depends lists the packages pkgs depend on, as apt-cache names them
// (the first of alternatives; virtual packages, in <>, left out).
func depends(ctx context.Context, pkgs []string) ([]string, error) {
	args := append([]string{"depends", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"}, pkgs...)
	b, err := exec.CommandContext(ctx, "apt-cache", args...).Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache depends %s: %v", strings.Join(pkgs, " "), err)
	}
	return parseDepends(string(b)), nil
}

// parseDepends reads the dependencies out of apt-cache depends's output.
func parseDepends(out string) []string {
	var deps []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && (f[0] == "Depends:" || f[0] == "PreDepends:" || f[0] == "|Depends:") && !strings.HasPrefix(f[1], "<") {
			deps = append(deps, strings.TrimSuffix(f[1], ":any"))
		}
	}
	return deps
}

// installed says whether dpkg has pkg installed on this machine.
func installed(ctx context.Context, pkg string) bool {
	b, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f=${db:Status-Status}", pkg).Output()
	return err == nil && strings.TrimSpace(string(b)) == "installed"
}

// UnpackDebs unpacks each .deb file into root (made if need be) with
// `dpkg-deb -x`, as the package would install it but for its maintainer
// scripts: a tree for Machine.Trees.
func UnpackDebs(ctx context.Context, root string, debs []string) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	for _, d := range debs {
		if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", d, root).CombinedOutput(); err != nil {
			return fmt.Errorf("dpkg-deb -x %s: %v: %s", d, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}
