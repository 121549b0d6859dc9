package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/vm"
	"github.com/layercheck/layercheck/harness"
)

// nfsTree makes the tree the nfs layout's programs come from in the guest
// (exportfs, rpc.nfsd, rpc.mountd, mount.nfs): Debian's packages unpacked
// with dpkg-deb -x into a temporary directory, from the .deb files in
// debsDir when it is set, else downloaded with apt-get download (the
// packages and the libraries they need that this machine has not). It
// returns the tree and what removes the directory, to call on every way
// out, failure included.
func nfsTree(ctx context.Context, debsDir string) (string, func(), error) {
	dir, err := os.MkdirTemp(vmTempDir(), "layercheck-nfs-")
	if err != nil {
		return "", func() {}, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	var debs []string
	if debsDir != "" {
		debs, err = filepath.Glob(filepath.Join(debsDir, "*.deb"))
		if err == nil && len(debs) == 0 {
			err = &harness.UsageError{Setting: "nfs-debs", Msg: debsDir + " holds no .deb file (want nfs-kernel-server's and nfs-common's, and the libraries they need that this machine has not)"}
		}
	} else {
		down := filepath.Join(dir, "debs")
		if err = os.Mkdir(down, 0o755); err == nil {
			debs, err = vm.DownloadDebs(ctx, down, vm.NFSPackages)
		}
		if err != nil {
			err = &harness.EnvError{Msg: fmt.Sprintf("vm: the nfs layout's programs (Debian's %s): %v (or give --nfs-debs DIR, or --guest-tree DIR)", strings.Join(vm.NFSPackages, ", "), err)}
		}
	}
	if err != nil {
		return "", cleanup, err
	}
	names := make([]string, len(debs))
	for i, d := range debs {
		names[i] = strings.SplitN(filepath.Base(d), "_", 2)[0]
	}
	fmt.Fprintf(os.Stderr, "layercheck vm: the nfs layout's programs from Debian's packages: %s\n", strings.Join(names, " "))
	root := filepath.Join(dir, "root")
	if err := vm.UnpackDebs(ctx, root, debs); err != nil {
		return "", cleanup, &harness.EnvError{Msg: "vm: " + err.Error()}
	}
	return root, cleanup, nil
}
