package backend

// OnDiskFormatter is implemented by backends whose on-disk format (how an
// upper directory records deletions, opaque directories, renamed
// directories and metadata-only copy-ups) is known well enough to read an
// upper back as an image layer: the engine's commit check then writes
// every final upper as an OCI layer tar and checks that it gives back the
// merged view.
//
// OnDiskFormat names the format as package harness/commit does
// ("overlay", "overlay-userxattr", "fuse-overlayfs", "unionfs-fuse"). It is
// a string so that this contract does not depend on the reader.
type OnDiskFormatter interface {
	OnDiskFormat() string
}

// LayerReader is implemented by backends that say which on-disk formats
// they mount as read-only layers (Config.BuildWith: layers written by one
// backend's mounts, mounted by another). format is what another backend's
// OnDiskFormat returns; a backend reads its own, and where two
// implementations share a design (kernel overlayfs and fuse-overlayfs
// both write char 0/0 whiteouts and trusted.overlay.opaque), each says so
// here, not the engine.
type LayerReader interface {
	ReadsLayersOf(format string) bool
}
