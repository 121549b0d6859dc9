// Package unionfs is unionfs-fuse as a layercheck backend, mounted with
// -o cow,allow_other,hide_meta_files,use_ino,suid,dev; a deleted path P is
// recorded as .unionfs-fuse/P_HIDDEN~ in the layer that deletes it, and the
// one expectation is its metadata directory, which its man page documents
// as still reachable by name.
package unionfs
