// Package overlay is the kernel's overlayfs as a layercheck backend:
// mounted through fsopen/fsconfig (one lowerdir+ call per layer, so 500
// layers mount), with the deviations Documentation/filesystems/overlayfs.rst
// documents as expectations (each tied to the options that keep it), the
// known issues seen on 6.18 that no document calls intended, a model of how
// overlay reads its layers (overlay_lookup.go: redirects, opaque and whiteout
// marks, in both the trusted.* and user.* namespaces) and its on-disk
// format for layers written without a mount.
package overlay
