package backend

import (
	"github.com/layercheck/layercheck/harness/scenario"
)

// ScenarioSkipper is implemented by backends whose documentation leaves
// some scenarios undefined under their options: such a scenario is skip,
// with the citation as its reason, since whatever it showed would prove
// nothing either way.
type ScenarioSkipper interface {
	SkipReason(s scenario.Scenario) string
}

// KnownIssuer is implemented by backends that record known issues.
type KnownIssuer interface {
	KnownIssues() []KnownIssue
}

// Extractable is implemented by backends whose layers can be written
// directly in their on-disk format.
type Extractable interface {
	// WhiteoutFormat returns the format variant ("" is the one the backend
	// writes itself when it builds a layer through a mount).
	WhiteoutFormat(variant string) (WhiteoutFormat, error)
}

// ShellMounter is implemented by backends that a reproducer script can
// drive from sh. Paths in the spec are relative to the script's scratch
// directory, which is the current directory when the lines run.
type ShellMounter interface {
	MountShell(spec MountSpec) string
	UnmountShell(target string) string
}

// CopyRefuser is implemented by backends that refuse to mount layers copied
// to new directories under some options (kernel overlay with index=on: the
// file handle of the lower root recorded in the upper no longer verifies).
// RefusesCopiedLayers gives the citation, or "" when copies mount; the
// engine's rebuilt phase (Scenario.Rebuild) does not run while it is set.
type CopyRefuser interface {
	RefusesCopiedLayers() string
}

// InodeRenewer is implemented by backends whose every mount shows the
// stack with new inode numbers by design (the control backend copies its
// layers at each mount). The engine then does not check that st_ino is
// kept across a remount: for such a backend that check says nothing about
// the layers. Within one mount every inode check still applies.
type InodeRenewer interface {
	RenewsInodes() bool
}

// IDRange maps Size container ids from Container to the on-disk (host)
// ids from Host: --idmap's C:H:N.
type IDRange struct{ Container, Host, Size uint32 }

// IdMapper is implemented by backends that have their own way to map
// owners (a FUSE daemon's uid/gid mapping options) or none: under --idmap
// the harness then hands them the layers' raw directories and the mapping
// instead of kernel idmapped mounts (which a kernel backend, overlay,
// takes as its layers).
type IdMapper interface {
	// WithIdmap returns the backend that shows an on-disk host id of the
	// ranges as its container id (others as the overflow id) and stores
	// what is written as host ids, on the lower layers and on the upper
	// as lowers and upper say; or an error, one line, the reason it
	// cannot (the run exits 3 with it).
	WithIdmap(lowers, upper bool, uid, gid []IDRange) (Backend, error)
}

// InPlacer is implemented by backends that show the stack by writing it
// into a plain directory, the target, rather than by mounting anything
// there (the control backend). Under --idmap all the harness hands such a
// backend the raw directories of the layers and of the target: it copies
// the ids as they are on disk, and the target, seen through the same
// mapping as the layers, shows them as kernel overlay does through
// idmapped layers, an owner outside the mapping included (a copy through
// the mapping would read that owner as the overflow id and store it as
// that id, a mapped one).
type InPlacer interface {
	WritesInPlace() bool
}
