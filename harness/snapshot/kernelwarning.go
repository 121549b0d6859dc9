package snapshot

import (
	"fmt"
	"strings"
)

// KindKernelWarning is a filesystem under test logging a warning about an
// operation the scenario made, where the operation itself succeeded as on
// the plain copy: an "overlayfs: ..." or "fuse: ..." line at warning level
// or above that is not about the mount's own set-up (overlayfs's "failed
// to get index nlink (..., err=-61)" under metacopy=on,redirect_dir=on).
// It is not a crash (the kernel found no bug in itself, nothing in flight
// was lost) but the filesystem saying it met a state it did not expect,
// so it ranks just below crash (SeverityKernelWarning). Field is the
// line's class ("overlayfs", "fuse"); Merged the kernel's lines.
const KindKernelWarning Kind = "kernel-warning"

// SeverityKernelWarning ranks a kernel warning below crash, above every
// finding of what the merged view shows.
const SeverityKernelWarning Severity = "kernel warning"

// kernelWarningString says a kernel warning finding in plain words.
func kernelWarningString(f Finding, where string) string {
	return fmt.Sprintf("(during the scenario): KERNEL WARNING (%s): %s%s", f.Field, f.Merged, where)
}

// FSWarningClass returns the class of a kernel line that a filesystem
// under test logged ("overlayfs" for "overlayfs: " and "overlay: ",
// "fuse"), or "" for any other line, such as a WARNING splat.
func FSWarningClass(line string) string {
	switch {
	case strings.HasPrefix(line, "overlayfs:"), strings.HasPrefix(line, "overlay:"):
		return "overlayfs"
	case strings.HasPrefix(line, "fuse:"):
		return "fuse"
	}
	return ""
}
