package harness

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/backend"
)

// Layers exchanged between backends (Config.BuildWith): the read-only
// layers are built through one backend's mounts, its own write path, and
// the runtime stack is mounted by another, as an image built with one
// engine runs on another. Unlike the extract builder with another
// backend's format (SetBuildFrom), nothing here is written by layercheck:
// what the second backend reads is what the first one wrote.

// CheckBuildWith reports whether runtime can mount layers that build
// writes: both formats known, and runtime says it reads build's
// (backend.LayerReader: its own, and kernel overlayfs's (trusted.overlay.*)
// and fuse-overlayfs's read each other's); where each writes what the
// other does not read (fuse-overlayfs's .wh..wh..opq files, the kernel's
// redirects) is what the run finds. A *UsageError otherwise.
func CheckBuildWith(runtime, build backend.Backend) error {
	rf, rok := onDiskFormat(runtime)
	bf, bok := onDiskFormat(build)
	if !rok || !bok {
		return &UsageError{Setting: "build-with", Msg: fmt.Sprintf("the on-disk format of %s or %s is not known: layers cannot be exchanged", runtime.Name(), build.Name())}
	}
	if lr, ok := runtime.(backend.LayerReader); ok && lr.ReadsLayersOf(string(bf)) {
		return nil
	}
	return &UsageError{Setting: "build-with", Msg: fmt.Sprintf("%s writes layers in the %s format, which %s (%s) does not read", build.Name(), bf, runtime.Name(), rf)}
}

// layerBackend is the backend that builds the read-only layers.
func (c Config) layerBackend() backend.Backend {
	if c.BuildWith != nil {
		return c.BuildWith
	}
	return c.Backend
}
