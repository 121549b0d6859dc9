package triage

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/snapshot"
)

// Signature says what kind of deviation a finding is, without the names
// and values that vary from one scenario to the next: the kind, the field
// (an xattr's or identity's name dropped), for an errno the op and both
// outcomes, for access whether it widened, for a mode the special bits
// that differ, and the known issue it is tagged with. Two findings with the
// same signature are taken for the same root cause; the signature is one
// line, as a baseline file holds it.
func Signature(f snapshot.Finding) string {
	sig := what(f)
	if f.KnownIssue != "" {
		sig += " [known issue " + f.KnownIssue + "]"
	}
	return strings.ReplaceAll(sig, "\n", " ")
}

// what is the signature without the known issue. What varies with the
// file rather than the cause is dropped: an identity's or xattr's name,
// the permission bits of a mode (only setuid, setgid and sticky, which
// say what went wrong, are kept), which of a link's fields differs (they
// differ together), what a failed op left in the upper.
func what(f snapshot.Finding) string {
	field, _, _ := strings.Cut(f.Field, ":")
	switch f.Kind {
	case snapshot.KindErrno:
		merged, ref := outcomeDiff(f.Merged, f.Reference)
		if merged == ref && strings.HasPrefix(merged, "ok ") { // only what belongs to the file differs
			return "errno " + f.Field + " ok, but other " + strings.Join(strings.Fields(merged)[1:], ", ") + " than the reference"
		}
		return "errno " + f.Field + " " + merged + " (reference " + ref + ")"
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
		return strings.TrimSpace("mode " + specialBits(f.Reference, f.Merged))
	case snapshot.KindLink:
		return "link"
	case snapshot.KindInvariant:
		return "invariant " + field + " " + f.Merged
	case snapshot.KindFailedOpCopyUp:
		errno, _, _ := strings.Cut(f.Field, ",")
		return string(f.Kind) + " " + errno
	case snapshot.KindPersistence, snapshot.KindLowerModified:
		of, _, _ := strings.Cut(field, " ") // the kind of the difference
		return string(f.Kind) + " " + of
	}
	return string(f.Kind) + " " + field
}

// specialBits names the setuid, setgid and sticky bits the merged view
// lost and gained ("lost setgid"); "" when none differs or either side is
// not an octal mode.
func specialBits(ref, merged string) string {
	var r, m uint32
	if _, err := fmt.Sscanf(ref, "%o", &r); err != nil {
		return ""
	}
	if _, err := fmt.Sscanf(merged, "%o", &m); err != nil {
		return ""
	}
	names := func(bits uint32) string {
		var out []string
		for _, b := range []struct {
			bit  uint32
			name string
		}{{0o4000, "setuid"}, {0o2000, "setgid"}, {0o1000, "sticky"}} {
			if bits&b.bit != 0 {
				out = append(out, b.name)
			}
		}
		return strings.Join(out, "+")
	}
	var parts []string
	if lost := names(r &^ m); lost != "" {
		parts = append(parts, "lost "+lost)
	}
	if gained := names(m &^ r); gained != "" {
		parts = append(parts, "gained "+gained)
	}
	return strings.Join(parts, ", ")
}

// outcomeDiff keeps, of two outcomes that both succeeded and say what the
// op saw ("ok file mode=0644 size=13 nlink=1", a descriptor's fstat or
// read), only the words that differ: the size of the file it was is the
// file's, the nlink that differs is the cause. Errnos stay whole.
func outcomeDiff(merged, ref string) (string, string) {
	m, r := strings.Fields(merged), strings.Fields(ref)
	if len(m) != len(r) || len(m) < 2 || m[0] != "ok" || r[0] != "ok" {
		return merged, ref
	}
	keepM, keepR := []string{"ok"}, []string{"ok"}
	for i := 1; i < len(m); i++ {
		if m[i] != r[i] {
			keepM, keepR = append(keepM, ofFile(m[i])), append(keepR, ofFile(r[i]))
		}
	}
	return strings.Join(keepM, " "), strings.Join(keepR, " ")
}

// ofFile is a word of an outcome without the value that belongs to the
// file rather than to the cause: what was read (data, len) and the size
// differ from file to file, while that they differ is the deviation.
func ofFile(word string) string {
	key, _, ok := strings.Cut(word, "=")
	if ok && (key == "data" || key == "len" || key == "size") {
		return key
	}
	return word
}
