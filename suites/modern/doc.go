// Package modern holds the checks of the overlayfs features container
// storage runs on today that a list of ops through one mount cannot
// express: data-only lower layers as composefs lays them out (a missing
// object, an object's own name), the new mount API's layer rules, the
// uuid option's fsid and file handles across a remount, escaped xattrs
// and xwhiteouts for nesting, and probes for verity and casefold. They
// are scenarios that are their own procedure (scenario.Check, one per
// check, scenarios.go): `layercheck --suite modern` runs them, every run
// of all suites counts them, and their results go to JSON, JUnit and TAP
// like any scenario's. Each check mounts real overlays (detached, through
// fsopen/fsmount, so no mount table sees most of them), cites the
// overlayfs.rst section that promises what it asserts, and skips with the
// reason where this kernel lacks the feature. A check is written as a
// test is (T, env.go): Errorf is a finding.
//
// The op suites run over data-only stacks too: --layout composefs or
// dataonly with --options metacopy=on,redirect_dir=on (harness/layout,
// composefs.go).
package modern

// Expectation IDs this suite names (plain strings: suites do not import
// backends).
const (
	// MissingObjectENOENT: a metacopy whose data-only object is missing
	// fails open with ENOENT ("lazy lowerdata lookup failed"), measured on
	// 6.18; overlayfs.rst names no errno for it.
	MissingObjectENOENT = "overlay/dataonly-missing-object-enoent"
)

// Citations, overlayfs.rst.
const (
	citeDataOnly  = `overlayfs.rst, "Data-only lower layers": "The paths of files in the "data-only" lower layers are not visible in the merged overlayfs directories and the metadata and st_ino/st_dev of files in the "data-only" lower layers are not visible in overlayfs inodes."`
	citeDataOrder = `overlayfs.rst, "Data-only lower layers": "A normal lower layer is not allowed to be below a data-only layer"`
	citeColons    = `overlayfs.rst, "Multiple lower layers": "colons in lower layer directory names will be escaped as an octal characters (\072) when displayed in /proc/self/mountinfo"`
	citeByFD      = `overlayfs.rst, "Specifying layers via file descriptors": "Since kernel v6.13, overlayfs supports specifying layers via file descriptors"`
	citeCreds     = `overlayfs.rst, "Permission model": "Starting with kernel v6.15 it is possible to use the "override_creds" mount option"`
	citeUUID      = `overlayfs.rst, "UUID and fsid"`
	citeNesting   = `overlayfs.rst, "Nesting overlayfs mounts"`
	citeVerity    = `overlayfs.rst, "fs-verity support"`
	// overlayfs.rst (as of 6.18) has no section on casefolded layers; the
	// kernel takes them since 6.17 ("ovl: support layers on case-folding
	// capable filesystems").
	citeCasefold = `Linux 6.17 overlayfs: layers on case-folding filesystems (overlayfs.rst has no section on them)`
)
