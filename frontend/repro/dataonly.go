package repro

import (
	"fmt"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/layout"
)

// The data-only layouts (harness/layout, composefs.go): each read-only
// layer, before a mount first takes it as a lower, is split into a
// metadata tree of empty metacopies with absolute redirects and a
// data-only layer of the objects, which every later mount gets after "::"
// (overlayfs.rst, "Data-only lower layers"). The script splits its layers
// the same way in sh (split_layer), so that it mounts what the run
// mounted: lK.meta as the lower, lK.objects as a data-only layer. With
// composefs the run packed the metadata tree into an EROFS image; the
// script keeps it a directory (the dataonly layout), which overlayfs
// reads alike.

// splitLayerShell is split_layer L: layout.Split in sh. Every regular file
// of a copy of L that is not a metacopy already becomes an empty file of
// its size with trusted.overlay.metacopy and an absolute redirect to
// /objects/XX/REST of L.objects (the SHA-256 of its content), its origin
// removed and its times kept; a hardlink's other names find the inode
// done.
const splitLayerShell = `split_layer() {
	cp -a "$1" "$1.meta" && mkdir "$1.objects" || return 1
	t=$(mktemp) || return 1
	find "$1.meta" -type f | while IFS= read -r f; do
		getfattr -h --absolute-names -n trusted.overlay.metacopy -- "$f" >/dev/null 2>&1 && continue
		h=$(sha256sum < "$f" | cut -c1-64); o=objects/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-)
		mkdir -p "$1.objects/${o%/*}" && { [ -e "$1.objects/$o" ] || cp -- "$f" "$1.objects/$o"; } || return 1
		touch -r "$f" "$t"; n=$(stat -c %s -- "$f")
		truncate -s 0 -- "$f" && truncate -s "$n" -- "$f" || return 1
		setfattr -h -x trusted.overlay.origin -- "$f" 2>/dev/null
		setfattr -h -n trusted.overlay.metacopy -- "$f" && setfattr -h -n trusted.overlay.redirect -v "/$o" -- "$f" || return 1
		touch -r "$t" -- "$f"
	done
	rm -f "$t"
}
`

// dataOnly reports whether the run split its layers (composefs, dataonly).
func dataOnly(cfg harness.Config) bool {
	return cfg.Layout == layout.DataOnly || cfg.Layout == layout.Composefs
}

// sealBelow splits every layer below k not split yet, bottom first: the
// layers a mount of layers k-1..0 takes as lowers.
func (g *gen) sealBelow(k int) {
	if !g.split {
		return
	}
	for ; g.sealed < k; g.sealed++ {
		d := fmt.Sprintf("l%d", g.sealed)
		g.w.printf("split_layer %s || { echo 'setup: could not split layer %d into metadata and objects'; exit 2; }\n", d, g.sealed)
		g.dirs[g.sealed] = d + ".meta"
		g.data = append(g.data, d+".objects")
	}
}
