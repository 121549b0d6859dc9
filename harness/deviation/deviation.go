// Package deviation names the behaviours of layered filesystems that a
// backend's documentation calls intended, by the ID strings under which
// scenarios and backends meet: a scenario lists the IDs it is written to
// show (scenario.Scenario.Expect), a backend's Expectations say which IDs
// its documentation explains, each with its citation.
//
// The IDs live here, below both, so that scenario data does not import a
// backend and a backend does not import the suites: a new backend that
// documents the same behaviour returns an Expectation with the same ID.
// The package imports nothing.
package deviation

// Kernel overlayfs (Documentation/filesystems/overlayfs.rst); the
// citations are in package overlay.
const (
	// RenameDirEXDEV: rename(2) of a lower or merged directory fails
	// with EXDEV (redirect_dir off).
	RenameDirEXDEV = "overlay/rename-dir-exdev"
	// CopyUpSplitsLink: a copy-up breaks a hard link (index off).
	CopyUpSplitsLink = "overlay/copy-up-splits-hardlinks"
	// MergedDirMeta: a merged directory shows the upper's metadata only.
	MergedDirMeta = "overlay/merged-dir-upper-metadata"
	// MapSharedStale: a MAP_SHARED mapping of a lower file opened
	// read-only misses later changes.
	MapSharedStale = "overlay/map-shared-lower-misses-changes"
	// ExecNoETXTBSY: a lower file being executed can be opened for write.
	ExecNoETXTBSY = "overlay/exec-lower-no-etxtbsy"
	// LowerReadAtime: reading a lower file does not move its atime.
	LowerReadAtime = "overlay/lower-read-keeps-atime"
	// CopyUpDirCtime: a directory copied up shows the upper's ctime.
	CopyUpDirCtime = "overlay/copied-up-dir-has-upper-ctime"
	// InodeNotSameFS: the inode table's N cells (layers on different
	// filesystems, xino off).
	InodeNotSameFS = "overlay/inode-layers-not-on-same-fs"
)

// UnionfsMetaDir: unionfs-fuse's metadata directory can be looked up by
// name although it is not listed (unionfs-fuse.8).
const UnionfsMetaDir = "unionfs-fuse/meta-dir-visible"
