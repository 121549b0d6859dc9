package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/layercheck/layercheck/harness/backend"
)

// nestedLower is the inner mount of the nested layout: the read-only
// layers mounted through the backend itself (with an upper of its own
// that nothing writes to), serving as the single lower of the runtime
// mount, as a container built inside a container stacks an overlay on an
// overlay (overlayfs.rst, "Nesting overlayfs mounts"). The backend mounts
// it, so the layers are read in the format the backend wrote them in.
type nestedLower struct {
	lowers []string // what it was mounted from, top first
	target string
	mount  backend.Mount
}

// mountNested mounts lowers (top first) as the inner overlay, or keeps the
// one already mounted from the same lowers (the remount phase reuses it:
// only the runtime mount is taken down and mounted again).
func (r *scenarioRun) mountNested(lowers []string) error {
	if n := r.layout.nested; n != nil {
		if slices.Equal(n.lowers, lowers) {
			return nil
		}
		if err := r.unmountNested(); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp(r.dir, "nested-")
	if err != nil {
		return err
	}
	upper, work, err := r.cfg.Storage.NewUpper(filepath.Join(dir, "u"))
	if err != nil {
		return err
	}
	target := filepath.Join(dir, "m")
	if err := os.Mkdir(target, 0o755); err != nil {
		return err
	}
	m, err := r.cfg.Backend.Mount(r.ctx, backend.MountSpec{Lowers: lowers, Upper: upper, Work: work, Target: target})
	if err != nil {
		return fmt.Errorf("nested: mount the inner overlay: %w", err)
	}
	r.layout.nested = &nestedLower{lowers: slices.Clone(lowers), target: target, mount: m}
	return nil
}

// unmountNested takes the inner mount down, if there is one.
func (r *scenarioRun) unmountNested() error {
	n := r.layout.nested
	if n == nil {
		return nil
	}
	r.layout.nested = nil
	return n.mount.Unmount()
}
