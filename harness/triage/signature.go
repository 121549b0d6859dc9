package triage

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/snapshot"
)

// Signature says what kind of deviation a finding is, without the names
// and values that vary from one scenario to the next: the kind, the field
// (an xattr's or identity's name dropped), for an errno the op and both
// outcomes, for access whether it widened, for a mode the bits that
// differ, and the known issue it is tagged with. Two findings with the
// same signature are taken for the same root cause; the signature is one
// line, as a baseline file holds it.
func Signature(f snapshot.Finding) string {
	sig := what(f)
	if f.KnownIssue != "" {
		sig += " [known issue " + f.KnownIssue + "]"
	}
	return strings.ReplaceAll(sig, "\n", " ")
}

// what is the signature without the known issue.
func what(f snapshot.Finding) string {
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
	case snapshot.KindMode:
		if bits := modeBits(f.Reference, f.Merged); bits != "" {
			return "mode " + bits
		}
	case snapshot.KindInvariant:
		return "invariant " + field + " " + f.Reference + " " + f.Merged
	}
	return string(f.Kind) + " " + field
}

// modeBits names the mode bits the merged view lost and gained ("lost
// 2000"), which is what a mode deviation is about whatever the file's own
// mode; "" when either side is not an octal mode.
func modeBits(ref, merged string) string {
	var r, m uint32
	if _, err := fmt.Sscanf(ref, "%o", &r); err != nil {
		return ""
	}
	if _, err := fmt.Sscanf(merged, "%o", &m); err != nil {
		return ""
	}
	var parts []string
	if lost := r &^ m; lost != 0 {
		parts = append(parts, fmt.Sprintf("lost %04o", lost))
	}
	if gained := m &^ r; gained != 0 {
		parts = append(parts, fmt.Sprintf("gained %04o", gained))
	}
	return strings.Join(parts, ", ")
}
