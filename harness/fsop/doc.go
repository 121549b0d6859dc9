// Package fsop holds the filesystem operations of layercheck as values
// (Chmod, Rename, SetXattr, ...) and the tree they act on. An op has a
// JSON form (fuzz, replay) and a POSIX sh form (reproducer scripts), runs
// as an Identity with its own credentials on one OS thread, and resolves
// every path beneath the root of its Tree with openat2(RESOLVE_IN_ROOT), so
// that no symlink, absolute or relative, can take it out of the tree it was
// given. Descriptor ops (Open, ReadFD, Mmap, Flock, Exec, ...; fdops.go)
// act on descriptors a Tree holds by name, as a long-running program holds
// its files, until Close or Tree.CloseFiles. It is the bottom of the
// import graph: it imports no other layercheck package.
package fsop
