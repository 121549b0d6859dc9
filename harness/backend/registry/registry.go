package registry

import (
	"fmt"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/control"
	"github.com/layercheck/layercheck/harness/backend/exec"
	"github.com/layercheck/layercheck/harness/backend/fuseoverlayfs"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/backend/unionfs"
)

// NewBackend returns the backend that --backend NAME and --options OPTS name.
func NewBackend(name, opts string) (backend.Backend, error) { return NewBackendUnmount(name, opts, "") }

// BackendNames are the backends --backend knows, besides exec:TEMPLATE.
var BackendNames = []string{"overlay", "fuse-overlayfs", "unionfs-fuse", "control"}

// NewBackendUnmount is NewBackend with the unmount template of an
// exec:TEMPLATE backend (--unmount).
func NewBackendUnmount(name, opts, unmount string) (backend.Backend, error) {
	if tmpl, ok := strings.CutPrefix(name, "exec:"); ok {
		if opts != "" {
			return nil, &backend.UsageError{Setting: "options", Msg: "an exec backend takes its options in its template"}
		}
		return newExec(tmpl, unmount)
	}
	if unmount != "" {
		return nil, &backend.UsageError{Setting: "unmount", Msg: "only for an exec:TEMPLATE backend"}
	}
	switch name {
	case "overlay", "":
		return overlay.NewOverlay(opts)
	case "fuse-overlayfs":
		return fuseoverlayfs.NewFuseOverlayfs(opts)
	case "unionfs-fuse":
		return unionfs.NewUnionfsFuse(opts)
	case "control":
		if opts != "" {
			return nil, &backend.UsageError{Setting: "options", Msg: "the control backend takes no options"}
		}
		return control.New(), nil
	}
	known := append([]string{}, BackendNames...)
	sort.Strings(known)
	return nil, &backend.UsageError{Setting: "backend", Msg: fmt.Sprintf("unknown backend %q (known: %s, exec:TEMPLATE)", name, strings.Join(known, ", "))}
}

// documented maps the programs whose own documentation layercheck cites
// to their native adapters: an exec:TEMPLATE backend running one of them
// carries its documented deviations (exec.Exec.DocumentedBy).
var documented = map[string]func() (backend.Backend, error){
	fuseoverlayfs.FuseOverlayfsProgram: func() (backend.Backend, error) { return fuseoverlayfs.NewFuseOverlayfs("") },
	unionfs.UnionfsFuseProgram:         func() (backend.Backend, error) { return unionfs.NewUnionfsFuse("") },
}

// newExec makes an exec:TEMPLATE backend, documented as the program it
// runs where that program is one of documented.
func newExec(tmpl, unmount string) (backend.Backend, error) {
	e, err := exec.NewExec(tmpl, unmount)
	if err != nil {
		return nil, err
	}
	if mk, ok := documented[e.Program()]; ok {
		if known, err := mk(); err == nil {
			e.DocumentedBy(known)
		}
	}
	return e, nil
}
