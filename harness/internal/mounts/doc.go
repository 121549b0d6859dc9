// Package mounts reads and tears down mounts: the mount table of this
// namespace (/proc/self/mountinfo), what is mounted beneath a directory,
// the lazy unmount every backend uses, and whether this process runs in
// the run's private mount namespace.
package mounts
