// Package layout prepares the storage beneath a layer stack: which
// filesystem a run's scratch lives on, where each layer and the upper go,
// and what a read-only layer becomes once it is built ("sealed").
//
// The engine asks it, in order:
//
//	s, err := layout.Scratch(name, runDir, size, layout.Options{}) // the run's filesystem
//	defer s.Close()
//	s.NewLayerDir(layerDir)                // for each layer; the engine fills it
//	lower, err := s.Seal(layerDir)         // once the layer is complete: use lower in lowerdir=
//	upper, work, err := s.NewUpper(upperParent)
//	...                                    // mount the union, run the scenario, unmount it
//	s.Release(scenarioDir)                 // undo what NewLayerDir/NewUpper/Seal did there
//
// The layouts:
//
//	samefs    one tmpfs for the whole run: today's behaviour.
//	perlayer  one tmpfs for the run, plus a fresh tmpfs for every layer and
//	          for every upper (with its work dir), so each has its own st_dev.
//	ext4, xfs, btrfs
//	          the run's scratch is that filesystem, made with the
//	          distribution mkfs in a sparse image beside the run directory
//	          (<dir>.<fs>.img) and loop-mounted on it.
//	squashfs, erofs
//	          scratch is a tmpfs; Seal packs a built layer into an image
//	          (<layer>.<fs>) and loop-mounts it read-only (<layer>.sealed).
//	nfs       scratch is a tmpfs; Seal exports a built layer with the kernel
//	          NFS server on 127.0.0.1 and mounts it (<layer>.nfs).
//	nested    handled by the engine; storage is samefs.
//
// Every mount is explicit about atime: noatime unless Options.StrictAtime,
// so no layout falls back to the kernel's relatime default.
//
// What survives sealing, checked on this machine (kernel 6.18,
// squashfs-tools 4.5.1, erofs-utils 1.5): overlay whiteouts (char 0/0),
// trusted.overlay.* and user.* xattrs, hardlinks (one inode), symlinks.
// squashfs keeps mtime in whole seconds only (atime and ctime read back as
// the mtime) and cannot store POSIX ACLs: mksquashfs drops system.* xattrs
// with only a warning, so Seal refuses such a layer with ErrUnsupported
// rather than hand the engine a layer that differs from what it built.
// erofs keeps nanosecond mtimes and ACLs.
//
// A sealed layer (squashfs, erofs, nfs) cannot be changed offline: see
// Sealed.
//
// NFS on this machine: the kernel (6.18.44-fc-v657) has neither an NFS
// server nor an NFS client: no nfsd or nfs/nfs4 in /proc/filesystems,
// /proc/config.gz has "# CONFIG_NETWORK_FILESYSTEMS is not set" (so no
// CONFIG_NFSD or CONFIG_NFS_FS at all), and there are no modules (no
// /lib/modules, no modprobe). /proc/fs/nfsd exists, but only as the empty
// mount point that procfs always creates. So Available says why, and the
// nfs code path is unexercised here. Whether overlayfs
// takes an NFS lower could therefore not be tried on this kernel; upstream
// allows filesystems with ->d_revalidate (NFS) as lower layers but not as
// upper since Linux 4.2 ("ovl: allow distributed fs as lower layer",
// commit 7c03b5d45b8e), and refuses the layer with ESTALE if it changes
// under the mount. Expect opaque directories not to work from an NFS lower
// with the default trusted.overlay.* xattrs: NFS (v4.2, RFC 8276) carries
// user.* xattrs only; whiteouts (device nodes) do travel.
// The exported directory must be visible to rpc.mountd: Seal starts its
// own rpc.mountd (inheriting the caller's mount namespace) only when no
// nfsd threads run yet; a system NFS server in another mount namespace
// cannot see a scratch tmpfs mounted in the run's private namespace.
//
// Cost here, measured with BenchmarkScratch and BenchmarkSeal and by
// timing the tools alone (2 cores, images on the root ext4 virtio disk; the
// disk makes the spread wide, repeated runs differ by 5x):
//
//	samefs, nested   tmpfs mount ~0.04 ms; Close < 5 ms
//	perlayer         the same, plus a tmpfs per layer and upper: < 0.1 ms each
//	ext4             256 MiB image (8 MiB allocated): mkfs.ext4 6-13 ms;
//	                 Scratch (mkfs+loop+mount) 4-60 ms; Close 4-17 ms
//	xfs              512 MiB image (64 MiB allocated, the log): mkfs.xfs
//	                 6-90 ms; Scratch 12-130 ms; Close 9-12 ms
//	btrfs            256 MiB image (5 MiB allocated): mkfs.btrfs 24-660 ms;
//	                 Scratch 18-120 ms; Close 4-13 ms
//	squashfs         per layer of 50 small files: pack+loop+mount 5-15 ms;
//	                 Release < 0.3 ms
//	erofs            per layer of 50 small files: pack+loop+mount 2-6 ms;
//	                 Release < 0.6 ms
//	nfs              not available on this kernel
//
// The scratch image of ext4, xfs and btrfs lies beside the run directory,
// not in it: whoever cleans up after a killed run must remove
// <dir>.<fs>.img as well. Its loop device goes by itself once the mount
// is gone (autoclear), as when the run's private mount namespace dies.
// An ext4 scratch has lost+found at its root.
package layout

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Name is a storage layout.
type Name string

// The layouts.
const (
	SameFS   Name = "samefs"
	PerLayer Name = "perlayer"
	Ext4     Name = "ext4"
	XFS      Name = "xfs"
	Btrfs    Name = "btrfs"
	Squashfs Name = "squashfs"
	EROFS    Name = "erofs"
	NFS      Name = "nfs"
	Nested   Name = "nested"
)

var names = []Name{SameFS, PerLayer, Ext4, XFS, Btrfs, Squashfs, EROFS, NFS, Nested, DataOnly, Composefs}

// ErrUnsupported marks a layer that this layout cannot represent (such as
// a POSIX ACL in a squashfs image): the engine skips the scenario.
var ErrUnsupported = errors.New("layout cannot represent this layer")

// Options tune a Scratch.
type Options struct {
	// StrictAtime mounts with strictatime instead of noatime, for
	// scenarios that look at access times.
	StrictAtime bool
}

// Names lists every layout, samefs first.
func Names() []Name { return slices.Clone(names) }

// Parse turns a layout name into a Name.
func Parse(s string) (Name, error) {
	if slices.Contains(names, Name(s)) {
		return Name(s), nil
	}
	known := make([]string, len(names))
	for i, n := range names {
		known[i] = string(n)
	}
	return "", fmt.Errorf("unknown layout %q (known: %s)", s, strings.Join(known, ", "))
}

// Sealed reports whether a layer of this layout is frozen once Seal has
// run: an image (squashfs, erofs) or an export (nfs). Scenarios that change
// a lower layer offline cannot run on it.
func Sealed(n Name) bool {
	return n == Squashfs || n == EROFS || n == NFS || dataOnly(n)
}

// imageFS reports whether the scratch itself is a loop-mounted image.
func imageFS(n Name) bool {
	return n == Ext4 || n == XFS || n == Btrfs
}
