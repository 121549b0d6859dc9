package harness

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/internal/mounts"
)

// mountRuntime mounts every layer as a lower with the runtime upper (the
// runtime, remount and rebuilt phases).
func (r *scenarioRun) mountRuntime() error {
	lowers, err := r.runtimeLowers() // layouts.go: sealed, or one nested overlay
	if err != nil {
		return err
	}
	spec := backend.MountSpec{Lowers: lowers, Upper: r.upper, Work: r.work, Target: r.target}
	if err := r.mount(spec); err != nil {
		return fmt.Errorf("runtime mount: %w", err)
	}
	return nil
}

func (r *scenarioRun) mount(spec backend.MountSpec) error { return r.mountWith(r.cfg.Backend, spec) }

func (r *scenarioRun) mountWith(b backend.Backend, spec backend.MountSpec) error {
	if r.mounted != nil {
		return errors.New("harness: mount while mounted")
	}
	if spec.Data = r.dataLayers(); len(spec.Data) > 0 && b.Name() != "overlay" { // layouts.go
		return &skipError{why: fmt.Sprintf("layout %s: backend %s takes no data-only layers", r.cfg.Layout, b.Name())}
	}
	attached, release, err := r.cfg.idmapStack(b, spec) // idmapped.go
	if err != nil {
		return err
	}
	m, err := b.Mount(r.ctx, attached)
	if err != nil {
		return errors.Join(err, release())
	}
	r.mounted = withRelease(m, release)
	r.stack = append(append([]string{spec.Upper}, spec.Lowers...), spec.Data...) // data-only layers last, as the mount has them
	r.layout.filesystems = countFilesystems(r.stack)                             // inodes.go
	return r.setAtimePolicy(spec.Target)                                         // times.go
}

func (r *scenarioRun) unmount() error {
	if r.mounted == nil {
		return nil
	}
	m := r.mounted
	r.mounted, r.stack = nil, nil
	return m.Unmount()
}

// teardown unmounts whatever is still mounted and removes the scratch
// directory, unless --keep or something could not be unmounted.
func (r *scenarioRun) teardown() error {
	err := r.unmount()
	if err == nil {
		err = r.releaseLayout() // layouts.go
	}
	err = errors.Join(err, r.unbindScenarioDir()) // times.go: after the stack and the layout
	r.ref.Close()
	if r.dir == "" || r.cfg.Keep {
		return err
	}
	if err != nil {
		return fmt.Errorf("%w (left %s in place)", err, r.dir)
	}
	if mounted, _ := mounts.Beneath(r.dir); len(mounted) > 0 {
		return fmt.Errorf("still mounted beneath %s: %s (left in place)", r.dir, strings.Join(mounted, ", "))
	}
	return os.RemoveAll(r.cfg.idmapRaw(r.dir)) // idmapped.go: a mapped view cannot remove unmapped owners' files
}
