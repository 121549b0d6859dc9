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
