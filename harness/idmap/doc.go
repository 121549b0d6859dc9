// Package idmap attaches directories as idmapped mounts, the way container
// engines attach image layers to a user-namespaced container: a detached
// clone of the directory (open_tree(OPEN_TREE_CLONE)) given a user
// namespace's mapping (mount_setattr(MOUNT_ATTR_IDMAP)) and moved onto a
// mount point (move_mount). It parses the --idmap setting and holds the
// mapping's arithmetic, which tests and on-disk checks use to say what a
// host id shows as through the mapping.
//
// The direction: the harness acts as the container. It writes and reads
// container ids (0..65535 with the default mapping); what lies on disk in
// an idmapped layer is the host id (container id + 100000). So the user
// namespace that carries the mapping maps, inside it, the host ids, and,
// outside it, the container ids: its uid_map lines read
// "HOST CONTAINER SIZE". An on-disk id with no line shows through the
// mount as the overflow id 65534, and the kernel refuses to store an id
// with no line (EOVERFLOW).
package idmap
