package fsop

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Tree is a directory that ops apply beneath: a layer, the merged view of a
// mount, or the reference copy. Every path an op names is resolved by
// openat2(2) with RESOLVE_IN_ROOT, so ".." and symlinks (absolute ones too)
// resolve as if Tree were "/": nothing outside it can be reached, the way a
// container sees its root filesystem. The last component of a path is never
// followed unless the op's semantics say so (chmod, chown), and then it is
// resolved with the same rules.
type Tree struct {
	Dir string // absolute path of the root directory
	// Raw, if set, is Dir seen without the mapping of the idmapped mount
	// Dir lies on: where ids are stored as they are on disk (RawLchown).
	Raw string
	fd  int      // O_PATH descriptor of Dir, opened once
	fds *fdTable // the named descriptors of descriptor ops (fdtable.go)
}

// OpenTree opens dir as the root of a Tree.
func OpenTree(dir string) (*Tree, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open tree %s: %w", dir, err)
	}
	return &Tree{Dir: dir, fd: fd}, nil
}

// Close releases the tree's descriptor and closes its named ones.
func (t *Tree) Close() error {
	if t == nil || t.fd < 0 {
		return nil
	}
	err := errors.Join(t.CloseFiles(), unix.Close(t.fd))
	t.fd = -1
	return err
}

// resolveFlags keep every lookup inside the tree and on its mount.
const resolveFlags = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV

// CleanRel turns an op path into a clean relative path ("." for the root).
func CleanRel(p string) string {
	p = path.Clean("/" + p)
	if p == "/" {
		return "."
	}
	return strings.TrimPrefix(p, "/")
}

// open resolves p beneath the tree (following symlinks inside it) and opens
// it with flags.
func (t *Tree) OpenAt(p string, flags uint64, mode uint32) (int, error) {
	how := unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Mode: uint64(mode), Resolve: resolveFlags}
	for {
		fd, err := unix.Openat2(t.fd, CleanRel(p), &how)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue // RESOLVE_IN_ROOT asks for a retry when a rename raced the walk
		}
		return fd, err
	}
}

// parent opens the directory that holds p's last component and returns an
// O_PATH descriptor of it and that component. The component is "." for the
// root itself.
func (t *Tree) parent(p string) (int, string, error) {
	rel := CleanRel(p)
	dir, base := path.Split(rel)
	if dir == "" {
		dir = "."
	}
	fd, err := t.OpenAt(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return -1, "", err
	}
	return fd, base, nil
}

// WithParent calls fn with the parent descriptor of p and p's last component.
func (t *Tree) WithParent(p string, fn func(dirfd int, base string) error) error {
	fd, base, err := t.parent(p)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return fn(fd, base)
}

// WithPath calls fn with an O_PATH descriptor of p itself; follow says
// whether a symlink in the last component is followed (inside the tree).
func (t *Tree) WithPath(p string, follow bool, fn func(fd int) error) error {
	flags := uint64(unix.O_PATH)
	if !follow {
		flags |= unix.O_NOFOLLOW
	}
	fd, err := t.OpenAt(p, flags, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return fn(fd)
}
