package commit

import (
	"archive/tar"
	"fmt"
	"io"
	"path"

	"golang.org/x/sys/unix"
)

// Flatten applies the layer `layer`, read per f against the layers below
// it (top first, as Write takes them), onto the directory dir, which holds
// what those layers below show: dir then holds what the stack shows up to
// `layer`. It is Apply(Write(...)) without the tar in between, record by
// record, so that it carries what a layer tar cannot: a name that merely
// looks like a whiteout (".wh.x", ".wh..wh..opq" as an ordinary file) stays
// that name. Sockets are left out, as Write leaves them out; an upper
// written with index=on is read as Write reads it.
//
// Names are resolved beneath dir as Apply resolves them (no symlink
// followed, nothing outside dir written).
func Flatten(dir, layer string, below []string, f Format) error {
	s, err := newStack(layer, below, f)
	if err != nil {
		return err
	}
	defer s.close()
	root, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("flatten onto %s: %w", dir, err)
	}
	defer unix.Close(root)
	a := &applier{root: root, added: map[string]bool{}, times: map[string][2]unix.Timespec{}}
	if err := emitLayer(s, applySink{a}, true); err != nil {
		return fmt.Errorf("flatten %s onto %s: %w", layer, dir, err)
	}
	return a.dirTimes()
}

// applySink applies records straight to the applier's directory.
type applySink struct{ a *applier }

func (s applySink) whiteout(p string) error {
	return s.a.whiteout(path.Clean("./"+path.Dir(p)), path.Base(p))
}

func (s applySink) opaque(p string) error { return s.a.opaque(p) }

func (s applySink) entry(hdr *tar.Header, data io.Reader) error {
	name := path.Clean(hdr.Name)
	if err := s.a.put(name, hdr, data); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
