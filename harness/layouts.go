package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/scenario"
)

// layoutRun is what the storage layout (Config.Layout, harness/layout)
// does for one scenario: where its layers and upper live, what a complete
// read-only layer becomes before it serves as a lower (Seal), and, for
// nested, the overlay mount that stands for all of them. With samefs
// (Config.Storage nil) it changes nothing: layers are plain directories
// of the scratch.
type layoutRun struct {
	sealed map[string]string // a built layer dir -> the path its lowers use
	nested *nestedLower      // the inner overlay of the nested layout, if mounted
	// filesystems counts the st_devs of the live (or last) mount's upper
	// and lowers, for Evidence.LayerFS.
	filesystems int
}

// usesStorage reports whether the layout puts layers anywhere but plain
// directories of the scratch (every layout but samefs).
func (r *scenarioRun) usesStorage() bool { return r.cfg.Storage != nil }

// layoutSkip says why s cannot run on the layout ("" if it can): an
// offline change of a sealed layer (an image or an export) is impossible,
// and overlayfs.rst leaves changes to the lower of a mounted or remounted
// overlay undefined for an NFS lower alike.
func (cfg Config) layoutSkip(s scenario.Scenario) string {
	if !layout.Sealed(cfg.Layout) && cfg.Layout != layout.Nested {
		return ""
	}
	for _, st := range s.Steps {
		if st.Phase == scenario.PhaseOffline && st.Layer != scenario.Upper && len(st.Ops) > 0 {
			return fmt.Sprintf("layout %s: layer %d is %s once built, so it cannot be changed offline (%s)",
				cfg.Layout, st.Layer, sealedAs(cfg.Layout), citeOfflineLower)
		}
	}
	return ""
}

// citeOfflineLower is overlayfs.rst on changing a lower behind the mount.
const citeOfflineLower = `overlayfs.rst, "Changes to underlying filesystems": "Changes to the underlying filesystems while part of a mounted overlay filesystem are not allowed. If the underlying filesystem is changed, the behavior of the overlay is undefined, though it will not result in a crash or deadlock."`

func sealedAs(n layout.Name) string {
	switch n {
	case layout.NFS:
		return "an NFS export"
	case layout.Nested:
		return "the lower of a nested overlay"
	}
	return "a read-only " + string(n) + " image"
}

// newLayer makes the directory of layer k (k >= 1) beneath the scenario
// and the work dir that building it through a mount needs: on the same
// filesystem, so perlayer gives both one tmpfs (Storage.NewUpper).
func (r *scenarioRun) newLayer(k int) (dir, work string, err error) {
	name := "l" + strconv.Itoa(k)
	if !r.usesStorage() {
		dir, work = filepath.Join(r.dir, name), filepath.Join(r.dir, "w"+strconv.Itoa(k))
		return dir, work, errors.Join(os.Mkdir(dir, 0o755), os.Mkdir(work, 0o755))
	}
	return r.cfg.Storage.NewUpper(filepath.Join(r.dir, name))
}

// buildWork is the work dir for building layer k through a mount.
func (r *scenarioRun) buildWork(k int) string {
	if !r.usesStorage() {
		return filepath.Join(r.dir, "w"+strconv.Itoa(k))
	}
	return filepath.Join(r.dir, "l"+strconv.Itoa(k), "work")
}

// newRuntimeUpper makes the runtime upper and work dir.
func (r *scenarioRun) newRuntimeUpper() (upper, work string, err error) {
	if !r.usesStorage() {
		if err := r.cfg.idmapOwnDir(r.dir); err != nil { // idmapped.go
			return "", "", err
		}
		upper, work = r.cfg.idmapUpper(filepath.Join(r.dir, "u")), r.cfg.idmapUpper(filepath.Join(r.dir, "wu")) // idmapped.go
		return upper, work, errors.Join(os.Mkdir(upper, 0o755), os.Mkdir(work, 0o755))
	}
	return r.cfg.Storage.NewUpper(filepath.Join(r.dir, "u"))
}

// ownLayer0 gives layer 0 a copy of the base on the layout's storage:
// the shared base lies on the run's own tmpfs, and a sealed layer 0 is
// packed per scenario.
func (r *scenarioRun) ownLayer0() (string, error) {
	mnt := filepath.Join(r.dir, "l0")
	if err := r.cfg.Storage.NewLayerDir(mnt); err != nil {
		return "", err
	}
	dir := filepath.Join(mnt, "tree")
	if err := fsop.CopyTree(r.base.Dir, dir); err != nil {
		return "", fmt.Errorf("copy the base to layer 0: %w", err)
	}
	return dir, nil
}

// lowers is what a mount is given for the read-only layers dirs (bottom
// first): each sealed once, the first time it serves as a lower (it is
// complete then: steps come layer by layer, bottom to top).
func (r *scenarioRun) lowers(dirs []string) ([]string, error) {
	out := make([]string, len(dirs))
	for i, d := range dirs {
		l, err := r.sealedLower(d)
		if err != nil {
			return nil, err
		}
		out[len(dirs)-1-i] = l // top first
	}
	return out, nil
}

func (r *scenarioRun) sealedLower(dir string) (string, error) {
	if !r.usesStorage() || !layout.Sealed(r.cfg.Layout) {
		return dir, nil
	}
	if l, ok := r.layout.sealed[dir]; ok {
		return l, nil
	}
	l, err := r.cfg.Storage.Seal(dir)
	if errors.Is(err, layout.ErrUnsupported) {
		return "", &skipError{why: err.Error()}
	}
	if err != nil {
		return "", fmt.Errorf("seal %s: %w", dir, err)
	}
	if r.layout.sealed == nil {
		r.layout.sealed = map[string]string{}
	}
	r.layout.sealed[dir] = l
	return l, nil
}

// runtimeLowers is the lowers of the runtime mount: every layer, or for
// nested the one overlay mount of them all.
func (r *scenarioRun) runtimeLowers() ([]string, error) {
	ls, err := r.lowers(r.layers)
	if err != nil || r.cfg.Layout != layout.Nested {
		return ls, err
	}
	if err := r.mountNested(ls); err != nil {
		return nil, err
	}
	return []string{r.layout.nested.target}, nil
}

// releaseLayout takes down what the layout did for this scenario: the
// nested lower, then (Storage.Release) sealed images and per-layer
// filesystems. The union above them must be unmounted already.
func (r *scenarioRun) releaseLayout() error {
	err := r.unmountNested()
	if r.usesStorage() && r.dir != "" {
		err = errors.Join(err, r.cfg.Storage.Release(r.dir))
	}
	return err
}

// skipError is a scenario that cannot run on this layout: a skip with the
// reason, never a pass.
type skipError struct{ why string }

func (e *skipError) Error() string { return e.why }

// asSkip reports the reason if err says the scenario cannot run here.
func asSkip(err error) (string, bool) {
	var s *skipError
	if errors.As(err, &s) {
		return strings.TrimSpace(s.why), true
	}
	return "", false
}

// sameOutcome compares the outcomes of op on the reference and through
// the mount. POSIX lets rename(2) and rmdir(2) of or onto a non-empty
// directory fail with EEXIST or ENOTEMPTY ("[EEXIST] or [ENOTEMPTY]"),
// and filesystems choose: xfs says EEXIST where tmpfs, ext4 and overlayfs
// say ENOTEMPTY. With the reference on xfs (--layout xfs) that choice is
// the reference filesystem's, not a deviation of the system under test.
func sameOutcome(op fsop.Op, ref, merged fsop.Outcome) bool {
	if ref == merged {
		return true
	}
	if k := op.Kind(); k != "rename" && k != "remove" {
		return false
	}
	either := map[fsop.Outcome]bool{"EEXIST": true, "ENOTEMPTY": true}
	return either[ref] && either[merged]
}

// dataLayers is the data-only layers of the layers sealed so far (the
// composefs and dataonly layouts, layout.DataDirs): every mount of the
// scenario gets them, below its lowers.
func (r *scenarioRun) dataLayers() []string {
	if !r.usesStorage() || r.dir == "" {
		return nil
	}
	return r.cfg.Storage.DataDirs(r.dir)
}
