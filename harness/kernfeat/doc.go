// Package kernfeat probes, once per process, the kernel features newer than
// Linux 5.15 (the oldest kernel layercheck runs on) that the harness uses,
// and names for each the kernel that brought it and the older way the
// harness falls back to where it is missing. A probe tries the feature
// itself (a system call with arguments it must refuse, an fsconfig key on a
// real fs context, an xattr on a detached tmpfs), never a version number,
// so a backport counts and a distribution's patched kernel is judged by
// what it does. The environment variable LAYERCHECK_PRETEND_MISSING makes
// probes report features as missing, so the fallbacks run (and are tested)
// on the newest kernel too. It imports no other layercheck package: fsop,
// at the bottom of the graph, asks it which way to go.
package kernfeat
