// Package registry maps the backend names the command line and the specs
// take (overlay, fuse-overlayfs, unionfs-fuse, exec:TEMPLATE) to backends.
// It is the one package that imports every backend; the engine imports
// none.
package registry
