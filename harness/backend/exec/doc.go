// Package exec drives any union filesystem by a shell command
// (--backend 'exec:TEMPLATE'): the template is filled with the stack's
// paths, the command may stay in the foreground as the daemon or mount and
// return, and a known program (fuse-overlayfs, unionfs-fuse) keeps its
// native adapter's expectations when its caller says which adapter that is
// (DocumentedBy; the registry maps program names). The template being a shell command, the
// backend drives reproducer scripts too.
package exec
