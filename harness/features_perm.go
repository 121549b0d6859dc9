package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Features of the permissions suite: extended attributes that carry access
// rights, beyond user.* (FeatureUserXattrs). A backend may keep user.*
// xattrs and still refuse these (a FUSE filesystem without ACL support, a
// rootless mount that may not set security.*); scenarios that set them are
// then skipped with the probe's reason, found from their ops (opRequires).
const (
	// FeaturePosixACL is setting and reading back system.posix_acl_access
	// and system.posix_acl_default on the merged view.
	FeaturePosixACL = "posix-acl"
	// FeatureFileCaps is setting and reading back security.capability on
	// the merged view.
	FeatureFileCaps = "file-capabilities"
)

// probePermFeatures adds the probes of the permissions features to out.
func probePermFeatures(dir string, out map[string]string) {
	out[FeaturePosixACL] = probeXattrValue(dir, "acl", XattrACLAccess, ACL("u::rw-,u:1002:r--,g::---,m::r--,o::---"))
	out[FeatureFileCaps] = probeXattrValue(dir, "caps", XattrCapability, FileCaps(true, CapNetRaw))
}

// probeXattrValue sets name to value on a file made for the probe and reads
// it back.
func probeXattrValue(dir, tag, name, value string) string {
	p := filepath.Join(dir, ".layercheck-probe-"+tag)
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		return "the probe could not create its file: " + err.Error()
	}
	defer os.Remove(p)
	if err := unix.Lsetxattr(p, name, []byte(value), 0); err != nil {
		return fmt.Sprintf("the backend refuses setxattr(%s) on its merged view (%s)", name, outcomeOf(err))
	}
	buf := make([]byte, 256)
	n, err := unix.Lgetxattr(p, name, buf)
	if err != nil || string(buf[:n]) != value {
		return fmt.Sprintf("getxattr(%s) on the merged view does not return what was set (%s)", name, outcomeOf(err))
	}
	return ""
}

// xattrFeature is the feature an xattr op on name needs beyond user.*
// xattrs ("" if none).
func xattrFeature(name string) string {
	switch {
	case strings.HasPrefix(name, "system.posix_acl_"):
		return FeaturePosixACL
	case name == XattrCapability:
		return FeatureFileCaps
	}
	return ""
}
