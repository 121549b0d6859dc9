package overlay

import (
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// KnownIdmapFailedOpCopyUp is a known issue of kernel overlayfs that the
// idmap suite found (layercheck --idmap all): seen here, documented
// nowhere, so it stays a failure.
const KnownIdmapFailedOpCopyUp = "overlay/idmapped-upper-eoverflow-after-copy-up"

// idmapKnownIssues lists it; it shows only where the upper is an
// idmapped mount, which the findings' errno (EOVERFLOW) tells.
func idmapKnownIssues() []backend.KnownIssue {
	return []backend.KnownIssue{{
		ID: KnownIdmapFailedOpCopyUp,
		Summary: "a chown to, or a create by, an id that the idmapped upper layer cannot store fails with " +
			"EOVERFLOW only after overlayfs has copied up the file or its parent directories: a failed op " +
			"changed the upper (seen on 6.18 with an idmapped upper; minimal case: --idmap all, " +
			"`chown 70000:70000 etc/hostname` at runtime, or a create in tmp by uid 70000)",
		Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
			return f.Kind == snapshot.KindFailedOpCopyUp && strings.HasPrefix(f.Field, "EOVERFLOW,")
		},
	}}
}
