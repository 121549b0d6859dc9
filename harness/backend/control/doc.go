// Package control is the control backend: a layered filesystem made of
// plain directories, with no mount and no kernel filesystem, that does
// exactly what a plain directory does. Running the suites on it proves the
// scenarios, the reference and the comparison clean: every scenario must
// pass on it with zero findings, as go-fuse's posixtest passes on a plain
// directory before it runs on a FUSE mount. A finding on it is a bug of
// the harness or of a scenario, never of a filesystem.
//
// Mount materialises the stack in MountSpec.Target: each layer, bottom
// first, is read per kernel overlayfs's on-disk format and applied onto
// Target as an image extractor applies a layer (commit.Flatten: char 0/0
// and xattr whiteouts, opaque directories, escaped overlay xattrs; no tar
// in between, so a name that looks like a whiteout stays a name).
// Unmount writes what changed in Target since the lowers were applied into
// MountSpec.Upper in the same format (harness/layerdiff: changed
// and new entries copied with their metadata and hardlinks, deleted names
// as whiteouts, directories made again opaque), then empties Target. So
// layers it builds are overlay layers, and the kernel could mount them.
//
// It sits beside the other backends: it imports the contract
// (harness/backend) and never the engine; the registry names it
// "control".
package control
