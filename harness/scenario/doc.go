// Package scenario describes a test as data: ops placed in layers (fixed,
// or a variable that Expand places in every position the depth allows), at
// runtime through the merged view, and offline on a layer between the
// runtime mount and the remount. The suites are lists of these values; the
// same value runs under Ginkgo, the command line, fuzz and replay.
package scenario
