package control

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/commit"
	"github.com/layercheck/layercheck/harness/layerdiff"
	"github.com/layercheck/layercheck/harness/ovlformat"
)

// Control is the control backend. It has no options and documents no
// deviation: a plain directory has none.
type Control struct{}

// New returns the control backend.
func New() *Control { return &Control{} }

// Name implements backend.Backend.
func (*Control) Name() string { return "control" }

// Options implements backend.Backend: there are none.
func (*Control) Options() string { return "" }

// Expectations implements backend.Backend: none, so that every finding
// fails.
func (*Control) Expectations() []backend.Expectation { return nil }

// format is how the control backend stores its layers: kernel overlayfs's
// format under trusted.overlay.
var format = &ovlformat.OverlayFormat{Prefix: "trusted.overlay."}

// WhiteoutFormat implements backend.Extractable with kernel overlayfs's
// formats ("" or "chardev": 0/0 character devices; "xattr": xattr
// whiteouts), which Mount reads.
func (*Control) WhiteoutFormat(variant string) (backend.WhiteoutFormat, error) {
	switch variant {
	case "", "chardev":
		return format, nil
	case "xattr":
		return &ovlformat.OverlayFormat{Prefix: format.Prefix, Xattr: true}, nil
	}
	return nil, fmt.Errorf("control has no whiteout format %q", variant)
}

// Mount implements backend.Backend: it applies spec.Lowers, bottom first,
// then spec.Upper onto spec.Target, which must be empty.
func (*Control) Mount(ctx context.Context, spec backend.MountSpec) (backend.Mount, error) {
	names, err := readNames(spec.Target)
	if err != nil {
		return nil, fmt.Errorf("control: target: %w", err)
	}
	if len(names) > 0 {
		return nil, fmt.Errorf("control: target %s is not empty (%d entries)", spec.Target, len(names))
	}
	m := &mount{spec: spec}
	if err := m.materialise(ctx); err != nil {
		return nil, errors.Join(err, emptyDir(spec.Target))
	}
	return m, nil
}

// mount is a stack materialised in its target.
type mount struct {
	spec   backend.MountSpec
	lowers *layerdiff.State // the target as the lowers alone make it
}

// materialise applies the layers and remembers the state of the lowers.
func (m *mount) materialise(ctx context.Context) error {
	ls := m.spec.Lowers
	for i := len(ls) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := applyLayer(ls[i], ls[i+1:], m.spec.Target); err != nil {
			return err
		}
	}
	var err error
	if m.lowers, err = layerdiff.Read(m.spec.Target); err != nil {
		return err
	}
	return applyLayer(m.spec.Upper, ls, m.spec.Target)
}

// applyLayer applies layer, read per the overlay format against the
// layers below it (top first), onto target.
func applyLayer(layer string, below []string, target string) error {
	if err := commit.Flatten(target, layer, below, commit.Overlay); err != nil {
		return fmt.Errorf("control: %w", err)
	}
	return nil
}

// Unmount implements backend.Mount: the upper becomes the difference
// between the lowers and the target, and the target is emptied, on every
// path.
func (m *mount) Unmount() error {
	err := m.writeUpper()
	return errors.Join(err, emptyDir(m.spec.Target))
}

// writeUpper rewrites the upper as what turns the lowers into the target.
func (m *mount) writeUpper() error {
	now, err := layerdiff.Read(m.spec.Target)
	if err != nil {
		return fmt.Errorf("control: read target: %w", err)
	}
	d := layerdiff.Between(m.lowers, now)
	d.Root = true // the upper's root shows, whatever it held before
	if err := emptyDir(m.spec.Upper); err != nil {
		return err
	}
	if err := d.WriteTo(m.spec.Target, m.spec.Upper, format); err != nil {
		return fmt.Errorf("control: write upper: %w", err)
	}
	return nil
}

// emptyDir removes everything beneath dir, leaving dir.
func emptyDir(dir string) error {
	names, err := readNames(dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("control: empty %s: %w", dir, err)
		}
	}
	return nil
}

func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// RenewsInodes implements backend.InodeRenewer: every mount copies the
// layers anew, so inode numbers are not kept across a remount (within a
// mount they are those of a plain directory).
func (*Control) RenewsInodes() bool { return true }

// WritesInPlace implements backend.InPlacer: the target is a plain
// directory the layers are copied into.
func (*Control) WritesInPlace() bool { return true }
