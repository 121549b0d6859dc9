package main

import (
	"strings"

	"github.com/layercheck/layercheck/harness"
)

// newBackend makes the backend that --backend, --options and --unmount
// name. With --rootless, kernel overlay gets userxattr: an unprivileged
// mount cannot use trusted.* xattrs (overlayfs.rst, "userxattr").
func newBackend(f *runFlags) (harness.Backend, error) {
	opts := f.options
	if f.rootless && (f.backend == "overlay" || f.backend == "") {
		if p, ok := profileOptions(opts); ok {
			opts = p
		}
		if !hasOption(opts, "userxattr") {
			opts = strings.Trim(opts+",userxattr", ",")
		}
	}
	return harness.NewBackendUnmount(f.backend, opts, f.unmount)
}

func profileOptions(name string) (string, bool) {
	for _, p := range harness.OverlayProfiles {
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
	for _, p := range harness.OverlayProfiles {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}
