// Package layerdiff writes a layer as the difference between two states of
// a plain directory, in a backend's on-disk format (backend.WhiteoutFormat),
// the way an image differ and extractor do: new and changed entries copied
// with their metadata (hardlinks kept), deleted names as whiteouts, a
// directory made again marked opaque.
//
// Two parts of layercheck write layers this way. The engine's extract
// builder (harness, --build extract) writes layer k from the reference
// before and after the layer's ops, so that a backend's read path is
// tested apart from its write path. The control backend
// (harness/backend/control) writes its upper on unmount from the plain
// directory it mounted on. It sits below both, above the contract: it
// imports harness/backend (for WhiteoutFormat), snapshot and fsop, never
// the engine nor a backend.
package layerdiff
