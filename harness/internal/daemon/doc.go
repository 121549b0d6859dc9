// Package daemon supervises the processes that serve FUSE mounts: it
// starts them in the foreground or adopts the one a command forked, waits
// for the mount to show, aborts the FUSE connection of a daemon that hangs,
// kills and reaps what outlives its unmount, and records every PID it
// owns so that a later cleanup kills exactly those and nothing else.
package daemon
