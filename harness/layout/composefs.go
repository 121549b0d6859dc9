package layout

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// The data-only layouts (overlayfs.rst, "Data-only lower layers"): each
// complete layer is split the way composefs splits an image. Its metadata
// becomes a tree where every regular file is an empty file of the same
// size, mode, owner, xattrs and times carrying trusted.overlay.metacopy
// and an absolute trusted.overlay.redirect to /objects/XX/SHA256-REST;
// its data becomes those objects, in a directory the mount gets as a
// data-only layer ("datadir+", DataDirs). composefs packs the metadata
// tree into an EROFS image with mkfs.erofs (as mkcomposefs does; erofs-utils
// 1.5 keeps trusted.overlay.* xattrs, measured); dataonly leaves it a
// plain directory. The reference stays the layer as built: what the
// metadata says each file is, with its object's content, so a listing or
// lookup showing an object, another object's data, or metadata taken from
// the data layer is a finding. overlayfs.rst: "The paths of files in the
// "data-only" lower layers are not visible in the merged overlayfs
// directories and the metadata and st_ino/st_dev of files in the
// "data-only" lower layers are not visible in overlayfs inodes."
const (
	Composefs Name = "composefs"
	DataOnly  Name = "dataonly"
)

// dataOnly reports whether n splits layers into metadata and data-only
// objects.
func dataOnly(n Name) bool { return n == Composefs || n == DataOnly }

// xattr names of overlay's metacopy format (trusted.*: the layouts run as
// root).
const (
	xattrMetacopy = "trusted.overlay.metacopy"
	xattrRedirect = "trusted.overlay.redirect"
	xattrOrigin   = "trusted.overlay.origin"
)

// sealDataOnly splits dir into dir.meta and dir.objects and returns the
// metadata lower (for composefs, dir.meta packed and mounted from
// dir.composefs); DataDirs lists dir.objects from then on.
func (s *Storage) sealDataOnly(dir string) (string, error) {
	meta, objs := dir+".meta", dir+".objects"
	if err := Split(dir, meta, objs); err != nil {
		return "", fmt.Errorf("seal %s: %w", dir, err)
	}
	lower := meta
	if s.name == Composefs {
		var err error
		if lower, err = s.packMeta(dir, meta); err != nil {
			return "", err
		}
	}
	s.mu.Lock()
	if s.data == nil {
		s.data = map[string]string{}
	}
	s.data[dir] = objs
	s.mu.Unlock()
	return lower, s.push(dir, func() error {
		s.mu.Lock()
		delete(s.data, dir)
		s.mu.Unlock()
		return nil
	})
}

// packMeta packs meta with mkfs.erofs (as the erofs layout packs a layer)
// and mounts the image read-only at dir.sealed.
func (s *Storage) packMeta(dir, meta string) (string, error) {
	img, mnt := dir+".composefs", dir+".sealed"
	if err := erofsLongName(meta); err != nil {
		return "", err
	}
	if _, err := run("mkfs.erofs", "--quiet", "--preserve-mtime", img, meta); err != nil {
		return "", err
	}
	if err := os.Mkdir(mnt, 0o755); err != nil {
		return "", fmt.Errorf("seal %s: %w", dir, err)
	}
	umount, err := loopMount(img, mnt, "erofs", sealedFlags)
	if err != nil {
		return "", errors.Join(err, os.Remove(mnt))
	}
	return mnt, s.push(dir, func() error { return errors.Join(umount(), os.Remove(mnt), os.Remove(img)) })
}

// DataDirs lists the data-only layers of the layers sealed beneath prefix
// (sorted; objects are named by their content, so their order does not
// matter): what a mount of those layers needs as "datadir+".
func (s *Storage) DataDirs(prefix string) []string {
	prefix, _ = filepath.Abs(prefix)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for dir, objs := range s.data {
		if within(prefix, dir) {
			out = append(out, objs)
		}
	}
	sort.Strings(out)
	return out
}

// Split copies the layer at dir to meta (which must not exist) and turns
// every regular file of the copy that is not a metacopy already into a
// metacopy of the same size with an absolute redirect to its content,
// stored in objs/objects/XX/REST (XX/REST: the SHA-256 of the content).
// Hardlinks stay one inode; times are kept.
func Split(dir, meta, objs string) error {
	if err := fsop.CopyTree(dir, meta); err != nil {
		return err
	}
	if err := os.Mkdir(objs, 0o755); err != nil { // a data layer even for a layer without files
		return err
	}
	done := map[uint64]bool{}
	dirTimes := map[string][]unix.Timespec{} // as CopyTree set them: reading a directory moves its atime
	err := filepath.WalkDir(meta, func(p string, d fs.DirEntry, err error) error {
		if err != nil || (!d.Type().IsRegular() && !d.IsDir()) {
			return err
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		if d.IsDir() { // called before WalkDir reads it
			dirTimes[p] = []unix.Timespec{st.Atim, st.Mtim}
			return nil
		}
		if done[st.Ino] {
			return nil
		}
		done[st.Ino] = true
		if _, err := unix.Lgetxattr(p, xattrMetacopy, nil); err == nil {
			return nil // a metacopy already: its data lies in a layer below
		}
		return toMetacopy(p, &st, objs)
	})
	for p, ts := range dirTimes {
		err = errors.Join(err, unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW))
	}
	return err
}

// toMetacopy stores p's content as an object and makes p an empty file of
// the same size redirecting to it, with its times restored.
func toMetacopy(p string, st *unix.Stat_t, objs string) error {
	obj, err := storeObject(p, objs)
	if err != nil {
		return err
	}
	if err := os.Truncate(p, 0); err != nil {
		return err
	}
	if err := os.Truncate(p, st.Size); err != nil {
		return err
	}
	// A copy-up's origin (the file a build mount copied up) goes: the
	// data now comes by the redirect, as in a composefs image, and with
	// data-only layers and no metacopy=on overlayfs refuses to follow the
	// origin of a metacopy (overlayfs.rst, "Data-only lower layers":
	// "other forms of metacopy are rejected").
	if err := unix.Lremovexattr(p, xattrOrigin); err != nil && err != unix.ENODATA {
		return fmt.Errorf("origin %s: %w", p, err)
	}
	if err := unix.Lsetxattr(p, xattrMetacopy, nil, 0); err != nil {
		return fmt.Errorf("metacopy %s: %w", p, err)
	}
	if err := unix.Lsetxattr(p, xattrRedirect, []byte(obj), 0); err != nil {
		return fmt.Errorf("redirect %s: %w", p, err)
	}
	ts := []unix.Timespec{st.Atim, st.Mtim}
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// storeObject copies p's content to objs/objects/XX/REST unless an object
// of that content is there, and returns the redirect: /objects/XX/REST.
func storeObject(p, objs string) (string, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	rel := "/objects/" + h[:2] + "/" + h[2:]
	to := filepath.Join(objs, rel)
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return rel, nil
	}
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	return rel, errors.Join(err, f.Close())
}
