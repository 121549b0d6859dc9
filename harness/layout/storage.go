package layout

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/layercheck/layercheck/harness/internal/mounts"
	"golang.org/x/sys/unix"
)

// Storage is the prepared storage of one run: its scratch filesystem and
// whatever was mounted for layers and uppers beneath it. It is safe for
// concurrent use by scenarios that work under different directories.
type Storage struct {
	name   Name
	dir    string
	fstype string
	opts   Options

	mu     sync.Mutex
	done   []undo         // NewLayerDir, NewUpper, Seal: oldest first
	base   []func() error // Scratch and the NFS server: undone last
	closed bool
	data   map[string]string // a sealed layer dir -> its data-only layer (composefs.go)

	nfsMu sync.Mutex
	nfs   *nfsServer
}

// undo is one thing to take down, and the path it was done for, which
// Release matches against its prefix.
type undo struct {
	key string
	fn  func() error
}

// undoList collects the steps of one operation, so that a failure (or a
// panic) halfway takes down exactly what was done.
type undoList []func() error

func (u *undoList) add(f func() error) { *u = append(*u, f) }

func (u undoList) run() error {
	var errs []error
	for i := len(u) - 1; i >= 0; i-- {
		errs = append(errs, u[i]())
	}
	return errors.Join(errs...)
}

// Scratch prepares the filesystem of a run at dir, an existing empty
// directory: a tmpfs, or for ext4, xfs and btrfs a fresh image of
// max(floor, 4*sizeBytes) loop-mounted there (sparse: it costs disk only
// as it fills). The image file sits beside dir as <dir>.<fs>.img. Close
// takes everything down again; on error nothing is left.
func Scratch(n Name, dir string, sizeBytes int64, opts Options) (_ *Storage, err error) {
	if _, err := Parse(string(n)); err != nil {
		return nil, err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) > 0 {
		return nil, fmt.Errorf("scratch %s: want an existing empty directory (%d entries, %v)", dir, len(ents), err)
	}
	s := &Storage{name: n, dir: dir, opts: opts}
	ok := false
	defer func() { // also on a panic: nothing stays mounted
		if !ok {
			err = errors.Join(err, s.Close())
		}
	}()
	if fs := scratchImageFS(n); fs != "" { // oldkernel.go
		err = s.mountImage(fs, sizeBytes)
	} else if err = mountTmpfs(dir, opts); err == nil {
		s.base = append(s.base, func() error { return unmount(dir) })
	}
	if err != nil {
		return nil, err
	}
	s.fstype = fsTypeOf(dir)
	ok = true
	return s, nil
}

// imageSize is the size of a scratch image: generous, since a sparse file
// costs nothing until written, and never under what mkfs accepts
// (xfsprogs 5.19+ refuses below 300 MiB, btrfs-progs 6.2 below 109 MiB).
func imageSize(n Name, sizeBytes int64) int64 {
	floor := int64(256 << 20)
	if n == XFS {
		floor = 512 << 20
	}
	return max(floor, 4*sizeBytes)
}

// mkfsArgs are the distribution mkfs's arguments for an image file: quiet,
// and forced, since mkfs hesitates over a regular file or an old signature.
var mkfsArgs = map[Name][]string{
	Ext4:  {"-q", "-F"},
	XFS:   {"-q", "-f"},
	Btrfs: {"-q", "-f"},
}

// mountImage makes the scratch image, a filesystem fs in it, and mounts it.
func (s *Storage) mountImage(fs Name, sizeBytes int64) error {
	img := s.dir + "." + string(fs) + ".img"
	f, err := os.OpenFile(img, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("scratch image: %w", err) // O_EXCL: never reuse a file we did not make
	}
	s.base = append(s.base, func() error { return os.Remove(img) })
	err = f.Truncate(imageSize(fs, sizeBytes))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if _, err := run("mkfs."+string(fs), append(mkfsArgs[fs], img)...); err != nil {
		return err
	}
	undo, err := loopMount(img, s.dir, string(fs), s.opts.mountFlags())
	if err != nil {
		return err
	}
	s.base = append(s.base, undo)
	return nil
}

// FSType is the scratch's filesystem as statfs names it: tmpfs, ext4,
// xfs or btrfs.
func (s *Storage) FSType() string { return s.fstype }

// Dir is the scratch directory.
func (s *Storage) Dir() string { return s.dir }

// Name is the layout.
func (s *Storage) Name() Name { return s.name }

// inside makes p absolute and refuses anything that is not strictly
// beneath the scratch: the package never mounts over, unmounts or removes
// a path it was not given.
func (s *Storage) inside(p string) (string, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return "", errors.New("layout: storage already closed")
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if p == s.dir || !within(s.dir, p) {
		return "", fmt.Errorf("%s is not beneath the scratch %s", p, s.dir)
	}
	return p, nil
}

// push records what was done for key, for Release or Close to undo; after
// Close it undoes at once, so nothing outlives the Storage.
func (s *Storage) push(key string, fn func() error) error {
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.done = append(s.done, undo{key, fn})
	}
	s.mu.Unlock()
	if closed {
		return errors.Join(errors.New("layout: storage already closed"), fn())
	}
	return nil
}

// NewLayerDir makes the directory of a layer at path (and its parents).
// For perlayer it mounts a fresh tmpfs on it, so that every layer has its
// own st_dev; path must then be new or empty.
func (s *Storage) NewLayerDir(path string) error {
	path, err := s.inside(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	if s.name != PerLayer {
		return nil
	}
	if ents, err := os.ReadDir(path); err != nil || len(ents) > 0 {
		return fmt.Errorf("layer %s: perlayer mounts a tmpfs there: want it empty (%d entries, %v)", path, len(ents), err)
	}
	if err := mountTmpfs(path, s.opts); err != nil {
		return err
	}
	return s.push(path, func() error { return unmount(path) })
}

// NewUpper makes dir (as NewLayerDir does) with an upper and a work
// directory inside it: dir/upper and dir/work. Overlayfs wants both on the
// same mount, so perlayer gives them one fresh tmpfs at dir.
func (s *Storage) NewUpper(dir string) (upper, work string, err error) {
	if err := s.NewLayerDir(dir); err != nil {
		return "", "", err
	}
	dir, _ = s.inside(dir)
	upper, work = filepath.Join(dir, "upper"), filepath.Join(dir, "work")
	for _, d := range []string{upper, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", "", errors.Join(err, s.Release(dir))
		}
	}
	return upper, work, nil
}

// Seal is called once a read-only layer at dir is complete, before it
// serves as a lower. It returns the path to give overlayfs: squashfs and
// erofs pack dir into an image and mount it read-only (dir.sealed), nfs
// exports dir and mounts the export (dir.nfs); the other layouts return
// dir itself. dir stays as built. A layer that the layout cannot hold
// faithfully is refused with an error wrapping ErrUnsupported.
func (s *Storage) Seal(dir string) (lower string, err error) {
	if dir, err = s.inside(dir); err != nil {
		return "", err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("seal %s: not a directory (%v)", dir, err)
	}
	switch s.name {
	case Squashfs, EROFS:
		return s.sealImage(dir)
	case Composefs, DataOnly:
		return s.sealDataOnly(dir) // composefs.go
	case NFS:
		return s.sealNFS(dir)
	}
	return dir, nil
}

// Release takes down what NewLayerDir, NewUpper and Seal did for paths at
// or beneath prefix, newest first. Whatever is mounted on top of those
// (the scenario's union) must be unmounted before.
func (s *Storage) Release(prefix string) error {
	prefix, err := filepath.Abs(prefix)
	if err != nil {
		return err
	}
	if !within(s.dir, prefix) {
		return fmt.Errorf("release %s: not beneath the scratch %s", prefix, s.dir)
	}
	var mine []undo
	s.mu.Lock()
	keep := s.done[:0]
	for _, u := range s.done {
		if within(prefix, u.key) {
			mine = append(mine, u)
		} else {
			keep = append(keep, u)
		}
	}
	s.done = keep
	s.mu.Unlock()
	var errs []error
	for i := len(mine) - 1; i >= 0; i-- {
		errs = append(errs, mine[i].fn())
	}
	return errors.Join(errs...)
}

// Close takes down everything: what Release has not, then the NFS server
// if Seal started one, then the scratch and its image. Closing twice is
// harmless.
func (s *Storage) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	done, base := s.done, s.base
	s.done, s.base = nil, nil
	s.mu.Unlock()
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		errs = append(errs, done[i].fn())
	}
	for i := len(base) - 1; i >= 0; i-- {
		errs = append(errs, base[i]())
	}
	if left, _ := mounts.Beneath(s.dir); len(left) > 0 {
		errs = append(errs, fmt.Errorf("still mounted beneath %s (not by layout): %v", s.dir, left))
	}
	return errors.Join(errs...)
}

func fsTypeOf(dir string) string {
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil {
		return "unknown"
	}
	names := map[int64]string{
		unix.TMPFS_MAGIC: "tmpfs", unix.EXT4_SUPER_MAGIC: "ext4", unix.XFS_SUPER_MAGIC: "xfs",
		unix.BTRFS_SUPER_MAGIC: "btrfs",
	}
	if n, ok := names[int64(st.Type)]; ok {
		return n
	}
	return fmt.Sprintf("0x%x", st.Type)
}
