package layout

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// sealedFlags mount a sealed layer: read-only, as a lower is, with the
// scratch's nosuid and nodev.
const sealedFlags = unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV

// sealImage packs dir into dir.<fs> and mounts the image read-only on
// dir.sealed. What it did is undone on failure (or panic) here, and
// otherwise by Release(dir) or Close.
func (s *Storage) sealImage(dir string) (lower string, err error) {
	img, mnt := dir+"."+string(s.name), dir+".sealed"
	var undos undoList
	defer func() {
		if lower == "" {
			err = errors.Join(err, undos.run())
		} else if perr := s.push(dir, undos.run); perr != nil {
			lower, err = "", perr
		}
	}()
	// Reserve the image name first (O_EXCL): both packers overwrite.
	f, err := os.OpenFile(img, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("seal %s: %w", dir, err)
	}
	f.Close()
	undos.add(func() error { return os.Remove(img) })
	if err := pack(s.name, dir, img); err != nil {
		return "", err
	}
	if err := os.Mkdir(mnt, 0o755); err != nil {
		return "", fmt.Errorf("seal %s: %w", dir, err)
	}
	undos.add(func() error { return os.Remove(mnt) })
	umount, err := loopMount(img, mnt, string(s.name), sealedFlags)
	if err != nil {
		return "", err
	}
	undos.add(umount)
	return mnt, nil
}

// pack builds the image. Neither packer is told to drop xattrs, so
// trusted.overlay.* (readable by root) and user.* go in; whiteouts are
// plain char 0/0 devices to both.
func pack(n Name, dir, img string) error {
	if n == EROFS {
		if err := erofsLongName(dir); err != nil { // erofs_names.go
			return err
		}
		// --preserve-mtime: without it erofs-utils may store the build
		// time in compact inodes instead of each file's mtime.
		_, err := run("mkfs.erofs", "--quiet", "--preserve-mtime", img, dir)
		return err
	}
	out, err := run("mksquashfs", dir, img, "-noappend", "-no-progress", "-quiet", "-xattrs")
	if err != nil {
		return err
	}
	// squashfs stores user., trusted. and security. xattrs only; mksquashfs
	// drops the rest (POSIX ACLs: system.posix_acl_*) with a warning and
	// exit status 0.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Unrecognised xattr prefix") {
			return fmt.Errorf("%w: squashfs of %s: %s", ErrUnsupported, dir, strings.TrimSpace(line))
		}
	}
	return nil
}
