package main

import (
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/overlay"
	"github.com/layercheck/layercheck/harness/backend/registry"
)

// newBackend makes the backend that --backend, --options and --unmount
// name. With --rootless, kernel overlay gets userxattr: an unprivileged
// mount cannot use trusted.* xattrs (overlayfs.rst, "userxattr").
func newBackend(f *runFlags) (backend.Backend, error) {
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
