package main

import (
	"flag"
	"github.com/layercheck/layercheck/harness/idmap"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/backend/registry"
)

// backendFlags choose the backend, with the same flags in every
// subcommand that mounts (run, fuzz, replay; matrix takes its targets as
// --backends and the --unmount of its exec: target): --backend, --options,
// --unmount and, where the subcommand can run in a user namespace,
// --rootless.
type backendFlags struct {
	backend  string
	options  string
	unmount  string
	rootless bool
	idmap    string // --idmap (idmap_flags.go)
}

// register defines the backend flags on fs; def is --backend's default.
func (b *backendFlags) register(fs *flag.FlagSet, def string, withRootless bool) {
	fs.StringVar(&b.backend, "backend", def, "the layered filesystem to test: "+strings.Join(registry.BackendNames, ", ")+", or 'exec:TEMPLATE' (see 'layercheck backends')")
	fs.StringVar(&b.options, "options", "", "mount options for the backend, e.g. redirect_dir=on,index=on, or an overlay profile name ("+overlayProfileNames()+")")
	registerUnmount(fs, &b.unmount)
	registerIdmap(fs, &b.idmap)
	if withRootless {
		fs.BoolVar(&b.rootless, "rootless", false, "run everything in a user namespace as an unprivileged user (overlay gets userxattr)")
	}
}

// registerUnmount defines --unmount, the unmount template of an
// exec:TEMPLATE backend.
func registerUnmount(fs *flag.FlagSet, into *string) {
	fs.StringVar(into, "unmount", "", "with an exec:TEMPLATE backend: the unmount command `TEMPLATE` (default: umount(2) of the target)")
}

// newBackend makes the backend that the flags name. With --rootless,
// kernel overlay gets userxattr: an unprivileged mount cannot use
// trusted.* xattrs (overlayfs.rst, "userxattr").
func (f *backendFlags) newBackend() (backend.Backend, error) {
	opts := f.options
	if f.rootless && (f.backend == "overlay" || f.backend == "") {
		if p, ok := profileOptions(opts); ok {
			opts = p
		}
		if !hasOption(opts, "userxattr") {
			opts = strings.Trim(opts+",userxattr", ",")
		}
	}
	return registry.NewBackendUnmount(f.backend, opts, f.unmount)
}

func profileOptions(name string) (string, bool) {
	for _, p := range overlay.OverlayProfiles {
		if p.Name == strings.TrimSpace(name) {
			return p.Options, true
		}
	}
	return "", false
}

func hasOption(opts, key string) bool {
	for _, o := range strings.Split(opts, ",") {
		if k, _, _ := strings.Cut(strings.TrimSpace(o), "="); k == key {
			return true
		}
	}
	return false
}

func overlayProfileNames() string {
	var names []string
	for _, p := range overlay.OverlayProfiles {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// idmapSpec is what --idmap asks for (nil: no mapping), for the plan.
func (b *backendFlags) idmapSpec() (*idmap.Spec, error) { return parseIdmap(b.idmap) }
