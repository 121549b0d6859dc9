package fsop

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// CopyTree copies src to dst (which must not exist) with everything a
// snapshot compares: types, modes with setuid/setgid/sticky, owners,
// content, symlink targets, device numbers, every extended attribute,
// access and modification times to the nanosecond, and hardlink groups of
// every non-directory type, as `cp -a` does. Symlinks are copied, never
// followed.
func CopyTree(src, dst string) error {
	return CopyTrees(src, dst, []string{"."})
}

// CopyTrees copies each subtree rel of src to the same place beneath dst,
// as CopyTree does, with one set of hardlink groups for all of them (a
// group split across two subtrees stays one inode). The directories
// above each rel must exist in dst; each rel itself must not.
func CopyTrees(src, dst string, rels []string) error {
	c := &copier{links: map[[2]uint64]string{}}
	for _, rel := range rels {
		if err := c.tree(filepath.Join(src, rel), filepath.Join(dst, rel)); err != nil {
			return err
		}
	}
	return c.finish()
}

// CopyError is a file that could not be read (its data) by a copy or a
// committer: Rel is its path beneath Dir, the tree being read (the
// subtree copied; the layer a committer read it from).
type CopyError struct {
	Dir string
	Rel string
	Err error
}

func (e *CopyError) Error() string { return fmt.Sprintf("copy %s: %v", e.Rel, e.Err) }
func (e *CopyError) Unwrap() error { return e.Err }

// copier carries what a copy of several subtrees shares.
type copier struct {
	dirs  []dirMeta // applied last, children first, so a 0500 dir can be filled
	links map[[2]uint64]string
}

type dirMeta struct {
	path string
	st   *unix.Stat_t
	xa   map[string]string
}

func (c *copier) tree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return c.entry(src, p, filepath.Join(dst, rel), rel)
	})
}

// entry copies the entry p, rel beneath the tree src, to the new name to.
func (c *copier) entry(src, p, to, rel string) error {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return err
	}
	xa, err := XattrsOf(p)
	if err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR && st.Nlink > 1 {
		// A hardlink group of any type (a file, and as well a symlink,
		// fifo or device: Debian trees hold hardlinked symlinks) is one
		// inode in the copy too; link(2) never follows a symlink.
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := c.links[key]; ok {
			return unix.Link(first, to)
		}
		c.links[key] = to
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if err := unix.Mkdir(to, 0o700); err != nil {
			return fmt.Errorf("copy %s: %w", rel, err)
		}
		c.dirs = append(c.dirs, dirMeta{to, &st, xa})
		return nil
	case unix.S_IFREG:
		if err := CopyFile(p, to); err != nil {
			return &CopyError{Dir: src, Rel: rel, Err: err}
		}
	case unix.S_IFLNK:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		if err := unix.Symlink(target, to); err != nil {
			return fmt.Errorf("copy %s: %w", rel, err)
		}
		if err := unix.Lchown(to, int(st.Uid), int(st.Gid)); err != nil {
			return err
		}
		if err := setLxattrs(to, xa); err != nil {
			return err
		}
		return setTimes(to, &st)
	default: // fifo, socket, devices (whiteouts included)
		if err := unix.Mknod(to, st.Mode, int(st.Rdev)); err != nil {
			return fmt.Errorf("copy %s: %w", rel, err)
		}
	}
	if err := setMeta(to, &st, st.Mode&07777, xa); err != nil {
		return err
	}
	return setTimes(to, &st)
}

// finish gives the directories their attributes, children first.
func (c *copier) finish() error {
	for i := len(c.dirs) - 1; i >= 0; i-- {
		d := c.dirs[i]
		if err := setMeta(d.path, d.st, d.st.Mode&07777, d.xa); err != nil {
			return err
		}
		if err := setTimes(d.path, d.st); err != nil {
			return err
		}
	}
	return nil
}

// setTimes gives p (not followed) the access and modification times of st,
// to the nanosecond, as cp -a does: last, since filling a directory or
// writing a file moves them.
func setTimes(p string, st *unix.Stat_t) error {
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
}

// CopyDirMeta gives the existing directory dst the owner, mode and xattrs
// of the directory src.
func CopyDirMeta(src, dst string) error {
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		return err
	}
	xa, err := XattrsOf(src)
	if err != nil {
		return err
	}
	return setMeta(dst, &st, st.Mode&07777, xa)
}

// setMeta sets owner, then mode (chown clears setuid and setgid), then xattrs.
func setMeta(p string, st *unix.Stat_t, mode uint32, xa map[string]string) error {
	if err := unix.Lchown(p, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if err := unix.Chmod(p, mode); err != nil {
		return err
	}
	return setLxattrs(p, xa)
}

// CopyFile copies the data of src to the new file dst with
// copy_file_range(2) (one call for a small file), falling back to read and
// write where the filesystems cannot.
func CopyFile(src, dst string) error {
	in, err := unix.Open(src, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(in)
	out, err := unix.Open(dst, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	defer unix.Close(out)
	for {
		n, err := unix.CopyFileRange(in, nil, out, nil, 1<<30, 0)
		if err == unix.EXDEV || err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP {
			break
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(in, buf)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if _, err := unix.Write(out, buf[:n]); err != nil {
			return err
		}
	}
}

func setLxattrs(p string, xa map[string]string) error {
	for k, v := range xa {
		if err := unix.Lsetxattr(p, k, []byte(v), 0); err != nil {
			return fmt.Errorf("set xattr %s on %s: %w", k, p, err)
		}
	}
	return nil
}
