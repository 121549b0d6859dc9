// Package repro writes a standalone POSIX sh script for a failing result:
// it rebuilds the base and the layers in a mktemp directory through the
// backend's own shell commands (backend.ShellMounter), replays every op on
// the merged view and on a plain copy, checks each finding again, and
// exits 1 when the deviation shows. It sits above the engine: it reads the
// engine's results.
package repro
