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

// KnownIdmapUnmappedOwnerChown is a known issue of kernel overlayfs that
// the idmap suite found (--idmap all, a lower file whose owner on disk is
// outside the mapping, suites/idmap's unmapped-owner scenarios): a chown
// by container root that a plain directory through the same mapping
// allows is refused, since the copy-up it needs cannot give the upper the
// owner it cannot map. Documented nowhere, so it stays a failure.
const KnownIdmapUnmappedOwnerChown = "overlay/idmapped-lower-unmapped-owner-chown-eoverflow"

// idmapKnownIssues lists them; they show only through idmapped layers,
// which the findings' errno (EOVERFLOW) tells.
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
	}, {
		ID: KnownIdmapUnmappedOwnerChown,
		Summary: "a chown of a lower file whose owner on disk is outside the idmapped layers' mapping fails with " +
			"EOVERFLOW (overlayfs cannot copy the file up with an owner it cannot map), where a plain directory " +
			"through the same mapping lets container root take the file over (seen on 6.18; minimal case: " +
			"--idmap all, suite idmap, unmapped-owner-in-lower-chown-refused/runtime)",
		Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
			return f.Kind == snapshot.KindErrno && f.Merged == "EOVERFLOW" && f.Reference == "ok" &&
				(f.Field == "chown" || f.Field == "lchown")
		},
		// The owner the reference took, and the access that comes with it.
		Follows: func(f snapshot.Finding) bool { return f.Kind == snapshot.KindOwner || f.Kind == snapshot.KindAccess },
	}}
}
