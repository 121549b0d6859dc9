package harness

import (
	"path"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// What the OCI layer format itself cannot carry, as its documentation
// (image-spec layer.md) says: a commit finding that one of these explains
// is a limit of every image built from an upper, not a deviation of the
// backend, and is xfail with the citation.
const (
	ExpectOCIWhiteoutNames = "oci/wh-prefixed-names"
	ExpectOCIOutsideLinks  = "oci/hardlink-outside-layer"
)

// commitExpectations are the layer format's documented limits; carried
// holds the names the layer tar being checked carries (markers left out).
func commitExpectations(carried map[string]bool) []backend.Expectation {
	return []backend.Expectation{
		{
			ID: ExpectOCIWhiteoutNames,
			Citation: `image-spec layer.md, "Whiteouts": "As files prefixed with .wh. are special whiteout markers, ` +
				`it is not possible to create a filesystem which has a file or directory with a name beginning with .wh.."`,
			Match: matchWhiteoutName,
		},
		{
			ID: ExpectOCIOutsideLinks,
			Citation: `image-spec layer.md, "Hardlinks": "The corresponding files that share the link with the > 1 linkcount ` +
				`may be outside the directory that the changeset is being produced from, in which case the linkname is not ` +
				`recorded in the changeset."`,
			Match: func(f snapshot.Finding, _ *backend.Evidence) bool { return matchOutsideLink(f, carried) },
		},
	}
}

// matchWhiteoutName: the path, or a directory above it, has a name that
// begins with .wh. (a tar entry of that name is a whiteout), or the merged
// view holds a name .wh.NAME beside it or .wh..wh..opq in a directory
// above it, which the tar turned into a whiteout of it.
func matchWhiteoutName(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindCommit {
		return false
	}
	for p := f.Path; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		dir, base := path.Split(p)
		if strings.HasPrefix(base, ".wh.") {
			return true
		}
		if ev.Merged == nil {
			continue
		}
		if _, ok := ev.Merged.Entries[path.Join(dir, ".wh."+base)]; ok {
			return true
		}
		if p != f.Path {
			if _, ok := ev.Merged.Entries[path.Join(p, ".wh..wh..opq")]; ok {
				return true
			}
		}
	}
	return false
}

// matchOutsideLink: the layer lost names from the path's hardlink group,
// gained none, and each lost name is on the other side of the layer: one
// of the two names is carried by the layer tar, the other only by a layer
// below.
func matchOutsideLink(f snapshot.Finding, carried map[string]bool) bool {
	if f.Kind != snapshot.KindCommit || f.Field != "links" {
		return false
	}
	shown, image := linkSet(f.Reference), linkSet(f.Merged)
	for q := range image {
		if !shown[q] {
			return false
		}
	}
	lost := 0
	for q := range shown {
		if image[q] {
			continue
		}
		if carried[q] == carried[f.Path] {
			return false
		}
		lost++
	}
	return lost > 0
}

// linkSet parses a Links value as Compare words it ("a, b" or "none").
func linkSet(v string) map[string]bool {
	out := map[string]bool{}
	if v == "none" || v == "" {
		return out
	}
	for _, q := range strings.Split(v, ", ") {
		out[q] = true
	}
	return out
}
