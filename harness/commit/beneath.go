package commit

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// openBelow opens name, one component, in the directory dfd without
// following it.
func openBelow(dfd int, name string, flags int) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_NOFOLLOW | unix.O_CLOEXEC), Resolve: applyResolve}
	for {
		fd, err := unix.Openat2(dfd, name, &how)
		if err != unix.EAGAIN && err != unix.EINTR {
			return fd, err
		}
	}
}

// readDirAt lists the directory dfd (an O_PATH descriptor will do).
func readDirAt(dfd int) ([]string, error) {
	fd, err := openBelow(dfd, ".", unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "dir")
	defer f.Close()
	return f.Readdirnames(-1)
}

// removeAllAt removes name in dfd and, if it is a directory, everything
// beneath it, without following any symlink or leaving the mount.
func removeAllAt(dfd int, name string) error {
	var st unix.Stat_t
	err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return unix.Unlinkat(dfd, name, 0)
	}
	sub, err := openBelow(dfd, name, unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	names, err := readDirAt(sub)
	for _, n := range names {
		if err == nil {
			err = removeAllAt(sub, n)
		}
	}
	unix.Close(sub)
	if err != nil {
		return err
	}
	return unix.Unlinkat(dfd, name, unix.AT_REMOVEDIR)
}

// create writes the entry hdr as name (whose parent is open at pfd),
// replacing what is there.
func (a *applier) create(pfd int, name string, hdr *tar.Header, r io.Reader) error {
	base := path.Base(name)
	kept, err := clearFor(pfd, base, hdr.Typeflag == tar.TypeDir)
	if err != nil {
		return err
	}
	mode := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if !kept {
			err = unix.Mkdirat(pfd, base, 0)
		}
	case tar.TypeReg:
		err = writeFileAt(pfd, base, r)
	case tar.TypeSymlink:
		err = unix.Symlinkat(hdr.Linkname, pfd, base)
	case tar.TypeLink:
		return a.link(pfd, base, hdr.Linkname) // a name of an inode that has its metadata
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		typ := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		// Made with no permission bits: the umask cannot add any, and
		// the mode is set once the owner is.
		err = unix.Mknodat(pfd, base, typ, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
	default:
		return fmt.Errorf("entry type %q is not supported", hdr.Typeflag)
	}
	if err != nil {
		return err
	}
	fd, err := openBelow(pfd, base, unix.O_PATH)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return a.setMeta(fd, pfd, name, hdr, mode)
}

// clearFor removes what is at base in pfd so that an entry can be made
// there; a directory stays for a directory (kept).
func clearFor(pfd int, base string, dir bool) (kept bool, err error) {
	var st unix.Stat_t
	err = unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if dir && st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return true, nil
	}
	return false, removeAllAt(pfd, base)
}

// writeFileAt creates base in pfd with the bytes of r. It is made with no
// permission bits (the umask cannot add any) and written as root.
func writeFileAt(pfd int, base string, r io.Reader) error {
	fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), base)
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// link makes base in pfd a hardlink of the earlier name target.
func (a *applier) link(pfd int, base, target string) error {
	t, err := cleanName(target)
	if err != nil {
		return fmt.Errorf("link target: %w", err)
	}
	if t == "." {
		return errors.New("link target is the root")
	}
	tdir, tbase := path.Split(t)
	tfd, err := a.parent(path.Clean("./"+tdir), false)
	if err != nil {
		return fmt.Errorf("link target %s: %w", target, err)
	}
	defer unix.Close(tfd)
	// No AT_SYMLINK_FOLLOW: a symlink target is linked, not followed.
	return unix.Linkat(tfd, tbase, pfd, base, 0)
}

// setRoot gives the target directory itself the metadata of the tar's
// "./" entry.
func (a *applier) setRoot(hdr *tar.Header) error {
	fd, err := openBelow(a.root, ".", unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return a.setMeta(fd, -1, ".", hdr, uint32(hdr.Mode&0o7777))
}

// setMeta sets owner, xattrs, mode and times of the entry name, open
// (O_PATH) at fd, whose parent is open at pfd. The order matters: chown clears setuid,
// setgid and security.capability, so it comes first; the mode comes after
// the xattrs, an ACL among them rewriting the group bits.
func (a *applier) setMeta(fd, pfd int, name string, hdr *tar.Header, mode uint32) error {
	flags := unix.AT_EMPTY_PATH | unix.AT_SYMLINK_NOFOLLOW
	if err := unix.Fchownat(fd, "", hdr.Uid, hdr.Gid, flags); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	if err := setXattrs(fdPath(fd), hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeSymlink {
		if err := fsop.Fchmodat(fd, "", mode, flags); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	ts := timesOf(hdr)
	if hdr.Typeflag == tar.TypeDir {
		a.times[name] = ts // set last: entries written into it would change them
		return nil
	}
	return unix.UtimesNanoAt(pfd, path.Base(name), ts[:], unix.AT_SYMLINK_NOFOLLOW)
}

// setXattrs gives the file at p (an fdPath) exactly the xattrs of hdr.
func setXattrs(p string, hdr *tar.Header) error {
	want := map[string]string{}
	for k, v := range hdr.PAXRecords {
		if name, ok := strings.CutPrefix(k, paxXattr); ok {
			want[name] = v
		}
	}
	have, err := listXattrs(p)
	if err != nil {
		return err
	}
	for name := range have {
		if _, ok := want[name]; !ok {
			if err := unix.Removexattr(p, name); err != nil {
				return fmt.Errorf("remove xattr %s: %w", name, err)
			}
		}
	}
	for name, v := range want {
		if err := unix.Setxattr(p, name, []byte(v), 0); err != nil {
			return fmt.Errorf("set xattr %s: %w", name, err)
		}
	}
	return nil
}
