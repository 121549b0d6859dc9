package commit

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// stack is the layers of one mount as the package reads them: layer 0 is
// the upper, layers 1.. the lowers, top first (overlayfs's lowerdir=
// order).
type stack struct {
	f     Format
	roots []string
	// fds are O_PATH descriptors of roots, every read resolves beneath
	// one; a lower's is opened when a read first needs it (-1 before): a
	// layer of a deep stack that holds little reads few of the layers
	// beneath it, and opening every one of them for every layer written
	// made a commit check's image quadratic in the depth.
	fds []int
}

// close releases the layers' descriptors.
func (s *stack) close() {
	for _, fd := range s.fds {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	s.fds = nil
}

// fd is layer's descriptor, opened if it is not yet.
func (s *stack) fd(layer int) (int, error) {
	if s.fds[layer] >= 0 {
		return s.fds[layer], nil
	}
	fd, err := unix.Open(s.roots[layer], unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("layer %s: %v", s.roots[layer], err) // not absent(): a layer is never missing
	}
	s.fds[layer] = fd
	return fd, nil
}

func newStack(upper string, lowers []string, f Format) (*stack, error) {
	if err := f.valid(); err != nil {
		return nil, err
	}
	s := &stack{f: f}
	for _, d := range append([]string{upper}, lowers...) {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		s.roots, s.fds = append(s.roots, abs), append(s.fds, -1)
	}
	if _, err := s.fd(0); err != nil { // the upper: at once, as every write reads it
		return nil, err
	}
	return s, nil
}

// open opens rel beneath a layer's root without following any symlink
// (an O_PATH|O_NOFOLLOW open of a symlink gives the symlink itself).
func (s *stack) open(layer int, rel string, flags int) (int, error) {
	root, err := s.fd(layer)
	if err != nil {
		return -1, err
	}
	how := unix.OpenHow{Flags: uint64(flags | unix.O_NOFOLLOW | unix.O_CLOEXEC), Resolve: readResolve}
	for {
		fd, err := unix.Openat2(root, rel, &how)
		if err != unix.EAGAIN && err != unix.EINTR {
			return fd, err
		}
	}
}

// readResolve keeps every read of a layer beneath its root: no symlink,
// no "..", no other mount.
const readResolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_XDEV

// absent reports whether an error of open means "nothing there": a
// missing name, a non-directory or a symlink on the way.
func absent(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP)
}

// xattrAt reads one xattr of layer's rel (ok false if unset or if rel is
// missing).
func (s *stack) xattrAt(layer int, rel, name string) (string, bool, error) {
	fd, err := s.open(layer, rel, unix.O_PATH)
	if absent(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	defer unix.Close(fd)
	return getXattr(fdPath(fd), name)
}

// exists reports whether layer holds anything at rel.
func (s *stack) exists(layer int, rel string) bool {
	fd, err := s.open(layer, rel, unix.O_PATH)
	if err == nil {
		unix.Close(fd)
	}
	return err == nil
}

// Kinds of what a layer holds at a path.
const (
	kMissing  = iota // nothing: the layers below show through
	kWhiteout        // a deletion: nothing below shows
	kDir
	kOther // any non-directory
)

// ent is what one layer holds at one path.
type ent struct {
	layer    int
	rel      string // path within the layer, "." for its root
	kind     int
	st       unix.Stat_t
	opaque   bool   // directories: nothing of the layers below shows
	redirect string // overlay: where a renamed directory (or metacopy file) came from
	metacopy bool   // overlay: the data is in a lower layer
}

func (s *stack) full(layer int, rel string) string { return filepath.Join(s.roots[layer], rel) }

// loc is a directory of one layer that a merged directory is made from.
type loc struct {
	layer int
	rel   string
}

// probe reads what layer holds at rel.
func (s *stack) probe(layer int, rel string) (ent, error) {
	e := ent{layer: layer, rel: rel}
	fd, err := s.open(layer, rel, unix.O_PATH)
	if absent(err) {
		e.kind = kMissing
		return e, s.probeFormat(&e, "")
	}
	if err != nil {
		return e, fmt.Errorf("open %s: %w", s.full(layer, rel), err)
	}
	defer unix.Close(fd)
	if err := unix.Fstat(fd, &e.st); err != nil {
		return e, err
	}
	switch {
	case e.st.Mode&unix.S_IFMT == unix.S_IFDIR:
		e.kind = kDir
	case e.st.Mode&unix.S_IFMT == unix.S_IFCHR && e.st.Rdev == 0 && s.f != UnionfsFuse:
		e.kind = kWhiteout // every format but unionfs-fuse's
	default:
		e.kind = kOther
	}
	return e, s.probeFormat(&e, fdPath(fd))
}

// probeFormat adds what the format records about e; at is e's /proc path
// ("" if missing).
func (s *stack) probeFormat(e *ent, at string) error {
	switch {
	case s.f.isOverlay():
		return s.probeOverlay(e, at)
	case s.f == FuseOverlayfs:
		return s.probeFuseOverlayfs(e, at)
	default:
		return s.probeUnionfs(e)
	}
}

func (s *stack) probeOverlay(e *ent, at string) error {
	p := s.f.ovlPrefix()
	var err error
	switch e.kind {
	case kDir:
		var opq string
		if opq, _, err = getXattr(at, p+"opaque"); err != nil {
			return err
		}
		if e.opaque = opq == "y"; e.opaque {
			return nil // an opaque directory's redirect is not read
		}
		e.redirect, _, err = getXattr(at, p+"redirect")
		return err
	case kOther:
		if e.st.Mode&unix.S_IFMT != unix.S_IFREG {
			return nil
		}
		var wh bool
		if _, wh, err = getXattr(at, p+"whiteout"); err != nil {
			return err
		}
		if wh && e.st.Size == 0 && e.rel != "." {
			// Since 6.7, an xattr whiteout counts inside a directory
			// marked overlay.opaque="x" (overlayfs.rst).
			x, _, err := s.xattrAt(e.layer, path.Dir(e.rel), p+"opaque")
			if err != nil {
				return err
			}
			if x == "x" {
				e.kind = kWhiteout
				return nil
			}
		}
		if _, e.metacopy, err = getXattr(at, p+"metacopy"); err != nil || !e.metacopy {
			return err
		}
		e.redirect, _, err = getXattr(at, p+"redirect")
		return err
	}
	return nil
}

func (s *stack) probeFuseOverlayfs(e *ent, at string) error {
	base := path.Base(e.rel)
	if e.rel == "." {
		return nil
	}
	if strings.HasPrefix(base, ".wh.") {
		e.kind = kMissing // a whiteout record of another name, not an entry
		return nil
	}
	if s.exists(e.layer, path.Join(path.Dir(e.rel), ".wh."+base)) {
		e.kind = kWhiteout // load_dir: .wh.NAME wins over NAME
		return nil
	}
	if e.kind != kDir {
		return nil
	}
	// is_directory_opaque: the first of the three xattrs that is set
	// decides; the marker file counts only when none is.
	for _, name := range []string{"trusted.overlay.opaque", "user.overlay.opaque", "user.fuseoverlayfs.opaque"} {
		v, ok, err := getXattr(at, name)
		if err != nil {
			return err
		}
		if ok {
			e.opaque = strings.HasPrefix(v, "y")
			return nil
		}
	}
	e.opaque = s.exists(e.layer, path.Join(e.rel, opaqueMarker))
	return nil
}

// unionfsMeta is unionfs-fuse's metadata directory at a layer's root, and
// unionfsHidden the suffix of its deletion markers.
const (
	unionfsMeta   = ".unionfs-fuse"
	unionfsHidden = "_HIDDEN~"
)

func (s *stack) probeUnionfs(e *ent) error {
	if e.rel == unionfsMeta {
		e.kind = kMissing // metadata, not content
		return nil
	}
	if e.rel == "." {
		return nil
	}
	hidden := s.exists(e.layer, path.Join(unionfsMeta, e.rel+unionfsHidden))
	switch {
	case hidden && e.kind == kMissing:
		e.kind = kWhiteout
	case hidden && e.kind == kDir:
		e.opaque = true // rm -r d; mkdir d
	}
	return nil
}

// names lists the names a layer's directory rel records something for:
// its entries and, per format, the names its whiteout records name. The
// caller probes each.
func (s *stack) names(layer int, rel string) ([]string, error) {
	set := map[string]bool{}
	raw, err := s.readDir(layer, rel)
	if err != nil {
		return nil, err
	}
	for _, n := range raw {
		switch {
		case s.f == FuseOverlayfs && n == opaqueMarker:
		case s.f == FuseOverlayfs && strings.HasPrefix(n, ".wh."):
			if w := n[len(".wh."):]; validName(w) {
				set[w] = true
			}
		case s.f == UnionfsFuse && rel == "." && n == unionfsMeta:
		default:
			set[n] = true
		}
	}
	if s.f == UnionfsFuse {
		meta, err := s.readDir(layer, path.Join(unionfsMeta, rel))
		if err != nil {
			return nil, err
		}
		for _, n := range meta {
			// A marker names a deleted path; a plain directory holds the
			// markers of the paths beneath it.
			set[strings.TrimSuffix(n, unionfsHidden)] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// readDir lists a layer directory's names; a directory that is missing
// (or no directory) has none.
func (s *stack) readDir(layer int, rel string) ([]string, error) {
	fd, err := s.open(layer, rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if absent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), s.full(layer, rel))
	defer f.Close()
	return f.Readdirnames(-1)
}

// validName reports whether n is one path component.
func validName(n string) bool {
	return n != "" && n != "." && n != ".." && !strings.ContainsRune(n, '/')
}
