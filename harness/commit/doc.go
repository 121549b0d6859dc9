// Package commit turns an upper directory into an OCI image layer and
// applies such a layer, the way an image builder commits what a container
// left behind and another machine unpacks it.
//
// A container runtime leaves its changes in the upper directory of a
// layered mount. An image builder reads that directory per the
// filesystem's on-disk format (Format) and writes an OCI image-spec layer
// tar (Write): deleted names become ".wh.NAME" entries, opaque
// directories a ".wh..wh..opq" entry, everything else the entry itself
// with its metadata. Another machine applies the tar onto a plain copy of
// the layers below (Apply), as an image extractor does.
//
// In layercheck's loop this closes the circle between the merged view and
// the image: after a scenario's ops ran through a mount, the merged view
// is snapshotted, the mount is taken down, the upper is written as a layer
// and applied onto a flattened copy of the lowers; the result must be the
// merged view again. Where it is not, either the upper records something
// the merged view did not show (or the reverse), or a committer reading
// the format would build a different image than the container saw: both
// are findings. Explain lists what an upper pins: entries that shadow a
// lower entry with different metadata, which a later update of the lower
// will not reach (layercheck export --explain).
//
// The package reads layers that do not change while it reads them, and it
// never follows a symlink it reads. Apply is written to be run as root on
// an untrusted tar: every name is resolved beneath the target directory
// with openat2(2), no symlink is followed on the way, and names with ".."
// or a leading "/" are refused.
package commit
