package commit

import "io"

// WriteBase writes the bottom layer of a stack (a base image's tree, with
// no layer below it) as a plain tar: the entries its format shows, with
// the metadata Write gives them, and no whiteout or opaque marker, since a
// bottom layer deletes nothing. A name beginning with ".wh." is content
// here (kernel overlayfs shows such a file as any other), which a layer
// tar cannot carry (image-spec layer.md, "Whiteouts"): unpack the tar with
// Extract, not Apply.
//
// The commit check starts the image of a stack with it: what the backend
// shows of layer 0, before any layer above it is applied as a layer.
func WriteBase(w io.Writer, layer string, f Format) error { return write(w, layer, nil, f, false) }

// Extract unpacks a tar that WriteBase wrote onto the directory dir: as
// Apply does, except that no name is a whiteout.
func Extract(r io.Reader, dir string) error { return apply(r, dir, true) }
