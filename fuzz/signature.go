package fuzz

import (
	"strings"

	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Signature says what kind of failure a finding is, without the names
// and values that vary from one random scenario to the next: the kind, the
// field (an xattr's or identity's name dropped), for an errno the op and
// both outcomes, for access whether it widened. Two failures with the same
// signature are taken for the same bug.
func Signature(f snapshot.Finding) string {
	field, _, _ := strings.Cut(f.Field, ":")
	switch f.Kind {
	case snapshot.KindErrno:
		return "errno " + f.Field + " " + f.Merged + " (reference " + f.Reference + ")"
	case snapshot.KindAccess:
		if f.Widened {
			return "access widened"
		}
		return "access narrowed"
	case snapshot.KindMissing:
		return "missing " + f.Reference
	case snapshot.KindExtra:
		return "extra " + f.Merged
	case snapshot.KindType:
		return "type " + f.Reference + " -> " + f.Merged
	}
	return string(f.Kind) + " " + field
}

// primary is the finding a failing result is filed under: the most severe
// unexpected one (security first), then the first by path.
func primary(res h.Result) (snapshot.Finding, bool) {
	un := res.Unexpected()
	if len(un) == 0 {
		return snapshot.Finding{}, false
	}
	rank := map[snapshot.Severity]int{}
	for i, s := range snapshot.Severities {
		rank[s] = i
	}
	best := un[0]
	for _, f := range un[1:] {
		if rank[f.Severity()] < rank[best.Severity()] {
			best = f
		}
	}
	return best, true
}

// shows reports whether res has an unexpected finding with signature sig.
func shows(res h.Result, sig string) bool {
	for _, f := range res.Unexpected() {
		if Signature(f) == sig {
			return true
		}
	}
	return false
}
