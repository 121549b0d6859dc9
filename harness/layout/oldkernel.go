package layout

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/kernfeat"
)

// Before Linux 6.6 tmpfs keeps no user.* xattrs (kernfeat.TmpfsUserXattr),
// which the layers and the reference hold. The layouts whose scratch is a
// tmpfs then get an ext4 image for it instead (mkfs.ext4 and a loop device
// more); perlayer, a tmpfs per layer by design, cannot run there.

// scratchImageFS is the filesystem of the image the scratch of layout n is
// made on: its own for ext4, xfs and btrfs, ext4 where a tmpfs would lack
// user xattrs, "" for a tmpfs.
func scratchImageFS(n Name) Name {
	switch {
	case imageFS(n):
		return n
	case kernfeat.Missing(kernfeat.TmpfsUserXattr):
		return Ext4
	}
	return ""
}

// oldKernelMissing says why layout n cannot run on this kernel ("" if it
// can): what its scratch needs where tmpfs lacks user xattrs.
func oldKernelMissing(n Name) string {
	if imageFS(n) || !kernfeat.Missing(kernfeat.TmpfsUserXattr) {
		return ""
	}
	if n == PerLayer {
		return "perlayer mounts a tmpfs per layer, and tmpfs keeps no user.* xattrs before Linux 6.6 (tmpfs-user-xattr)"
	}
	if why := needAll(needFS("ext4"), needProg("mkfs.ext4"), needLoop()); why != "" {
		return fmt.Sprintf("tmpfs keeps no user.* xattrs before Linux 6.6 (tmpfs-user-xattr), and the ext4 image that replaces it cannot be made: %s", why)
	}
	return ""
}
