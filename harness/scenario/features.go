package scenario

// Features of the permissions suite: extended attributes that carry access
// rights, beyond user.* (FeatureUserXattrs). A backend may keep user.*
// xattrs and still refuse these (a FUSE filesystem without ACL support, a
// rootless mount that may not set security.*); scenarios that set them are
// then skipped with the probe's reason, found from their ops (opRequires).
const (
	// FeaturePosixACL is setting and reading back system.posix_acl_access
	// and system.posix_acl_default on the merged view.
	FeaturePosixACL = "posix-acl"
	// FeatureFileCaps is setting and reading back security.capability on
	// the merged view.
	FeatureFileCaps = "file-capabilities"
)

// Optional features a backend may lack on its merged view. A scenario
// lists those it needs in Scenario.Requires; the session tries each once on
// a live mount of the backend (see probeFeatures), and a scenario whose
// backend lacks one ends as skip with the reason: its result would say
// nothing about the layers, only that the feature is absent.
const (
	// FeatureRenameWhiteout is renameat2(2) with RENAME_WHITEOUT, as root,
	// on the merged view. The plain reference (tmpfs, ext4, xfs) supports
	// it and leaves a 0/0 character device at the old name.
	FeatureRenameWhiteout = "rename-whiteout"
)

// Features a backend may lack that a scenario needs without listing them in
// Requires: they follow from its ops (see opRequires). The session probes
// each on a live mount, so a skip always rests on what this backend did
// here, never on a list of what it is said to support.
const (
	// FeatureUserXattrs is setxattr(2)/getxattr(2) of user.* attributes
	// on the merged view; without it the snapshot comparison leaves
	// xattrs out too (see Config.ignoreXattrs).
	FeatureUserXattrs = "user-xattrs"
	// FeatureRenameNoreplace is renameat2(2) with RENAME_NOREPLACE.
	FeatureRenameNoreplace = "rename-noreplace"
	// FeatureRenameExchange is renameat2(2) with RENAME_EXCHANGE.
	FeatureRenameExchange = "rename-exchange"
	// FeatureTmpfile is open(2) with O_TMPFILE in a directory of the
	// merged view. open(2) documents EOPNOTSUPP for a filesystem without
	// it; kernel overlayfs has it since Linux 6.6 (Debian 12's 6.1 refuses
	// it), most FUSE filesystems do not implement it.
	FeatureTmpfile = "tmpfile"
)
