package layout

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// dataOnlyMissing probes the kernel's data-only lower layers with a real
// mount: a one-file metadata layer whose metacopy redirects to an object
// of a "datadir+" layer (Linux 6.8; "::" since 6.5) must read as the
// object's data. The mount is never attached: the file is read through
// the detached mount's descriptor, so no mount table sees it.
func dataOnlyMissing() string {
	dir, err := os.MkdirTemp("", "layercheck-dataonly-probe-")
	if err != nil {
		return err.Error()
	}
	defer os.RemoveAll(dir)
	meta, data := filepath.Join(dir, "meta"), filepath.Join(dir, "data")
	obj := filepath.Join(data, "objects", "ab", "cd")
	for _, d := range []string{meta, filepath.Dir(obj)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err.Error()
		}
	}
	if err := os.WriteFile(obj, []byte("data\n"), 0o644); err != nil {
		return err.Error()
	}
	f := filepath.Join(meta, "f")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		return err.Error()
	}
	if err := os.Truncate(f, 5); err != nil {
		return err.Error()
	}
	if unix.Setxattr(f, xattrMetacopy, nil, 0) != nil || unix.Setxattr(f, xattrRedirect, []byte("/objects/ab/cd"), 0) != nil {
		return "the scratch cannot hold trusted.overlay.* xattrs"
	}
	got, err := readThroughDataOnly(meta, data, "f")
	if err != nil {
		return "kernel overlayfs refuses a data-only layer (\"datadir+\", Linux 6.8): " + err.Error()
	}
	if got != "data\n" {
		return fmt.Sprintf("a metacopy over a data-only layer read %q, not the object's data", got)
	}
	return ""
}

// readThroughDataOnly mounts lower (lowerdir+) over data (datadir+),
// detached, and reads name through it.
func readThroughDataOnly(lower, data, name string) (string, error) {
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return "", fmt.Errorf("fsopen: %w", err)
	}
	defer unix.Close(fsfd)
	if err := unix.FsconfigSetString(fsfd, "lowerdir+", lower); err != nil {
		return "", fmt.Errorf("lowerdir+: %w", err)
	}
	if err := unix.FsconfigSetString(fsfd, "datadir+", data); err != nil {
		return "", fmt.Errorf("datadir+: %w", err)
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return "", fmt.Errorf("create: %w", err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY)
	if err != nil {
		return "", fmt.Errorf("fsmount: %w", err)
	}
	defer unix.Close(mfd)
	fd, err := unix.Openat(mfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", fmt.Errorf("open: %w", err)
	}
	defer unix.Close(fd)
	buf := make([]byte, 64)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	return string(buf[:n]), nil
}
