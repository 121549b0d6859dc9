package commit

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// Apply applies the OCI layer tar read from r onto the directory dir, the
// way an image extractor does (image-spec layer.md, "Applying
// Changesets"):
//
//   - ".wh.NAME" removes NAME (recursively) unless this layer wrote it;
//   - ".wh..wh..opq" removes every entry beneath its directory that this
//     layer did not write;
//   - any other entry replaces what was at its name, except that a
//     directory over a directory keeps its content; a directory the tar
//     needs but does not carry is made 0755 root:root;
//   - TypeLink entries link to an earlier name (of this layer or below);
//   - ownership, mode bits (setuid, setgid, sticky included; the umask has
//     no say), xattrs (PAX SCHILY.xattr.*; a directory kept gets exactly
//     these) and times are set as the tar says; directories' times last.
//
// It never writes outside dir and never follows a symlink: every name is
// resolved beneath dir with openat2(2) (RESOLVE_BENEATH,
// RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV). A name with "..", an absolute
// name, or a name whose way passes through a symlink or another mount is
// an error, and so is a link target of that kind. Entries before the
// failing one stay applied.
func Apply(r io.Reader, dir string) error { return apply(r, dir, false) }

// apply is Apply; plain takes no name for a whiteout (Extract).
func apply(r io.Reader, dir string, plain bool) error {
	root, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("apply onto %s: %w", dir, err)
	}
	defer unix.Close(root)
	a := &applier{root: root, added: map[string]bool{}, times: map[string][2]unix.Timespec{}, plain: plain}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("apply onto %s: %w", dir, err)
		}
		if err := a.entry(hdr, tr); err != nil {
			return fmt.Errorf("apply onto %s: %s: %w", dir, hdr.Name, err)
		}
	}
	return a.dirTimes()
}

type applier struct {
	root  int                         // O_PATH descriptor of the target directory
	added map[string]bool             // the names this layer wrote
	times map[string][2]unix.Timespec // directories' atime, mtime, set last
	plain bool                        // no name is a whiteout (Extract)
}

// applyResolve keeps every lookup beneath the target and off symlinks
// and other mounts.
const applyResolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_XDEV

// cleanName checks a name of the tar and returns it clean and relative
// ("." for the root).
func cleanName(name string) (string, error) {
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("absolute name %q", name)
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", fmt.Errorf("name %q has \"..\"", name)
		}
	}
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("name %q has a NUL byte", name)
	}
	return path.Clean(name), nil
}

func (a *applier) entry(hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	dir, base := path.Split(name)
	dir = path.Clean("./" + dir)
	if strings.HasPrefix(base, whiteoutPrefix) && !a.plain {
		if base == opaqueMarker {
			return a.opaque(dir)
		}
		return a.whiteout(dir, strings.TrimPrefix(base, whiteoutPrefix))
	}
	return a.put(name, hdr, r)
}

// put makes the entry hdr as name (clean, relative), replacing what is
// there.
func (a *applier) put(name string, hdr *tar.Header, r io.Reader) error {
	if name == "." {
		if hdr.Typeflag != tar.TypeDir {
			return errors.New("the root must be a directory")
		}
		return a.setRoot(hdr)
	}
	dir := path.Clean("./" + path.Dir(name))
	pfd, err := a.parent(dir, true)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	if err := a.create(pfd, name, hdr, r); err != nil {
		return err
	}
	a.added[name] = true
	return nil
}

// parent opens (O_PATH) the directory dir of the target; create makes it,
// and the directories above it, where they are missing.
func (a *applier) parent(dir string, create bool) (int, error) {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: applyResolve}
	for {
		fd, err := unix.Openat2(a.root, dir, &how)
		switch {
		case err == unix.EAGAIN || err == unix.EINTR:
			continue
		case errors.Is(err, unix.ELOOP):
			return -1, fmt.Errorf("%s: a symlink on the way: %w", dir, err)
		case errors.Is(err, unix.EXDEV):
			return -1, fmt.Errorf("%s: outside the target or on another mount: %w", dir, err)
		case errors.Is(err, unix.ENOENT) && create && dir != ".":
			if err := a.mkdirMissing(dir); err != nil {
				return -1, err
			}
			create = false
			continue
		}
		return fd, err
	}
}

// mkdirMissing makes the directory dir of the target, 0755 root:root,
// as image extractors make parents a tar leaves out.
func (a *applier) mkdirMissing(dir string) error {
	pfd, err := a.parent(path.Dir(dir), true)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	base := path.Base(dir)
	if err := unix.Mkdirat(pfd, base, 0); err != nil && !errors.Is(err, unix.EEXIST) {
		return err
	}
	if err := unix.Fchownat(pfd, base, 0, 0, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	return fsop.Fchmodat(pfd, base, 0o755, unix.AT_SYMLINK_NOFOLLOW)
}

// whiteout removes dir/name unless this layer wrote it.
func (a *applier) whiteout(dir, name string) error {
	if !validName(name) {
		return fmt.Errorf("whiteout of %q", name)
	}
	if a.added[join(dir, name)] {
		return nil // a whiteout deletes from the layers below only
	}
	pfd, err := a.parent(dir, false)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	return removeAllAt(pfd, name)
}

// opaque removes everything beneath dir that this layer did not write.
func (a *applier) opaque(dir string) error {
	pfd, err := a.parent(dir, false)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	return a.clearBelow(pfd, dir)
}

func (a *applier) clearBelow(dfd int, dir string) error {
	names, err := readDirAt(dfd)
	if err != nil {
		return err
	}
	for _, n := range names {
		p := join(dir, n)
		if !a.added[p] {
			if err := removeAllAt(dfd, n); err != nil {
				return err
			}
			continue
		}
		sub, err := openBelow(dfd, n, unix.O_PATH|unix.O_DIRECTORY)
		if errors.Is(err, unix.ENOTDIR) {
			continue
		}
		if err != nil {
			return err
		}
		err = a.clearBelow(sub, p)
		unix.Close(sub)
		if err != nil {
			return err
		}
	}
	return nil
}

// dirTimes sets the times of the directories the tar carried, deepest
// first, now that nothing is written into them any more.
func (a *applier) dirTimes() error {
	dirs := make([]string, 0, len(a.times))
	for d := range a.times {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool {
		if di, dj := strings.Count(dirs[i], "/"), strings.Count(dirs[j], "/"); di != dj {
			return di > dj
		}
		return dirs[i] > dirs[j]
	})
	for _, d := range dirs {
		how := unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: applyResolve}
		fd, err := unix.Openat2(a.root, d, &how)
		if errors.Is(err, unix.ENOENT) {
			continue // removed by a later whiteout
		}
		if err != nil {
			return fmt.Errorf("times of %s: %w", d, err)
		}
		ts := a.times[d]
		err = unix.UtimesNano(fdPath(fd), ts[:])
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("times of %s: %w", d, err)
		}
	}
	return nil
}

// timesOf is the atime and mtime an entry gets: the tar's atime where it
// has one, else its mtime.
func timesOf(hdr *tar.Header) [2]unix.Timespec {
	at := hdr.AccessTime
	if at.IsZero() {
		at = hdr.ModTime
	}
	return [2]unix.Timespec{unix.NsecToTimespec(at.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
}
