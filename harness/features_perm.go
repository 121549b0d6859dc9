package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"golang.org/x/sys/unix"
)

// probePermFeatures adds the probes of the permissions features to out.
func probePermFeatures(dir string, out map[string]string) {
	out[scenario.FeaturePosixACL] = probeXattrValue(dir, "acl", fsop.XattrACLAccess, fsop.ACL("u::rw-,u:1002:r--,g::---,m::r--,o::---"))
	out[scenario.FeatureFileCaps] = probeXattrValue(dir, "caps", fsop.XattrCapability, fsop.FileCaps(true, fsop.CapNetRaw))
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
		return fmt.Sprintf("the backend refuses setxattr(%s) on its merged view (%s)", name, fsop.OutcomeOf(err))
	}
	buf := make([]byte, 256)
	n, err := unix.Lgetxattr(p, name, buf)
	if err != nil || string(buf[:n]) != value {
		return fmt.Sprintf("getxattr(%s) on the merged view does not return what was set (%s)", name, fsop.OutcomeOf(err))
	}
	return ""
}

// xattrFeature is the feature an xattr op on name needs beyond user.*
// xattrs ("" if none).
func xattrFeature(name string) string {
	switch {
	case strings.HasPrefix(name, "system.posix_acl_"):
		return scenario.FeaturePosixACL
	case name == fsop.XattrCapability:
		return scenario.FeatureFileCaps
	}
	return ""
}
