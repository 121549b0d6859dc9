package backend

import (
	"github.com/layercheck/layercheck/harness/fsop"
)

// WhiteoutFormat is how a backend's layers record what the layers above
// take away: what an extractor writes for a deleted name and for a
// directory that hides everything beneath it. A backend that can be given
// layers written without a mount provides its formats (Extractable).
type WhiteoutFormat interface {
	// Name says what is written, for reports: "overlay char 0/0 whiteouts".
	Name() string
	// Whiteout records in the layer that the entry rel (a path relative to
	// the layer's root) is deleted. rel's parent exists in the layer as a
	// directory; rel does not exist.
	Whiteout(layer *fsop.Tree, rel string) error
	// Opaque records that the directory rel of the layer hides every entry
	// of the layers below it. It holds no whiteouts.
	Opaque(layer *fsop.Tree, rel string) error
	// StoredXattr is the name under which the layer stores an extended
	// attribute that the merged view shows as name (a name in the
	// backend's private namespace is stored escaped).
	StoredXattr(name string) string
}

// SameFormatter is implemented by whiteout formats that can tell whether
// another WhiteoutFormat writes the same on-disk format as they do (the
// engine's commit check reads layers extracted in a format only when it
// is the runtime backend's own).
type SameFormatter interface {
	SameFormat(other WhiteoutFormat) bool
}
