package snapshot

import (
	"fmt"
	"sort"
)

// Kind is what a finding is about; the JSON report carries it as is.
type Kind string

// Finding kinds.
const (
	KindMissing       Kind = "missing"        // in the reference, not in the merged view
	KindExtra         Kind = "extra"          // in the merged view, not in the reference
	KindType          Kind = "type"           // file type or device numbers differ
	KindMode          Kind = "mode"           // permission bits, setuid, setgid, sticky
	KindOwner         Kind = "owner"          // uid or gid
	KindContent       Kind = "content"        // size or data
	KindLink          Kind = "link"           // hardlink grouping or link count
	KindXattr         Kind = "xattr"          // an extended attribute
	KindSymlink       Kind = "symlink"        // a symlink's target
	KindErrno         Kind = "errno"          // an op gave another result than on the reference
	KindAccess        Kind = "access"         // an identity may do on one side what it may not on the other
	KindInvariant     Kind = "invariant"      // the merged view contradicts itself
	KindPersistence   Kind = "persistence"    // the merged view changed across a remount
	KindLowerModified Kind = "lower-modified" // a read-only layer changed while mounted
)

// Finding is one difference between what the reference says and what the
// system under test shows.
type Finding struct {
	Kind      Kind   `json:"kind"`
	Path      string `json:"path"`
	Field     string `json:"field"`
	Reference string `json:"reference"`
	Merged    string `json:"merged"`
	// Widened marks an access finding where the merged view allows more
	// than the reference: a security finding.
	Widened bool `json:"widened,omitempty"`
	// Stage says when it was seen: "layer 2" (building a layer),
	// "runtime", "remount", "offline".
	Stage string `json:"phase,omitempty"`
	// Op is the shell line of the op whose outcome differed (errno findings).
	Op string `json:"op,omitempty"`
	// Beneath counts the entries under a missing or extra directory that
	// this one finding stands for.
	Beneath int `json:"beneath,omitempty"`
	// ExpectedBy is the citation of the documented deviation that explains
	// the finding; empty means unexpected.
	ExpectedBy string `json:"expected_by,omitempty"`
	// Expectation is the ID of that deviation.
	Expectation string `json:"expectation,omitempty"`
	// KnownIssue names a deviation seen before on this backend that no
	// documentation calls intended. It changes nothing about the verdict:
	// the finding is still unexpected. It tells the reader it is not news.
	KnownIssue string `json:"known_issue,omitempty"`
	// Standing marks a finding the target's null scenario (no op at all)
	// shows too: the stack's own deviation, not one this scenario's ops
	// caused. It is left out of the scenario's verdict and reported once,
	// in the standing entry (see harness.Standing).
	Standing bool `json:"standing,omitempty"`
}

// Expected reports whether a documented deviation explains the finding.
func (f Finding) Expected() bool { return f.ExpectedBy != "" }

// String says the finding in plain words.
func (f Finding) String() string {
	where := ""
	if f.Stage != "" {
		where = " [" + f.Stage + "]"
	}
	if f.KnownIssue != "" {
		where += " (known issue " + f.KnownIssue + ")"
	}
	switch f.Kind {
	case KindMissing:
		return fmt.Sprintf("%s: missing from the merged view (reference has a %s)%s%s", f.Path, f.Reference, beneath(f.Beneath), where)
	case KindExtra:
		return fmt.Sprintf("%s: present in the merged view as a %s, absent from the reference%s%s", f.Path, f.Merged, beneath(f.Beneath), where)
	case KindErrno:
		return fmt.Sprintf("%s: `%s` gave %s, the reference gave %s%s", f.Path, f.Op, f.Merged, f.Reference, where)
	case KindCrash:
		return crashString(f, where)
	case KindKernelWarning:
		return kernelWarningString(f, where)
	case KindFailedOpCopyUp:
		return fmt.Sprintf("%s: `%s` failed with %s: was %s, now %s%s", f.Path, f.Op, f.Field, f.Reference, f.Merged, where)
	case KindCommit:
		return fmt.Sprintf("%s: %s: the upper's layer tar gives %s, the merged view showed %s%s", f.Path, f.Field, f.Merged, f.Reference, where)
	case KindAccess:
		w := ""
		if f.Widened {
			w = " (WIDENED: the merged view grants more)"
		}
		return fmt.Sprintf("%s: %s may %s here, %s on the reference%s%s", f.Path, f.Field, f.Merged, f.Reference, w, where)
	}
	return fmt.Sprintf("%s: %s %s is %s, reference %s%s", f.Path, f.Kind, f.Field, f.Merged, f.Reference, where)
}

func beneath(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" with %d entries beneath", n)
}

// SortFindings orders findings for reading: crashes, then security, then by path.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if ci, cj := fs[i].Kind == KindCrash, fs[j].Kind == KindCrash; ci != cj {
			return ci
		}
		if ki, kj := fs[i].Kind == KindKernelWarning, fs[j].Kind == KindKernelWarning; ki != kj {
			return ki
		}
		if fs[i].Widened != fs[j].Widened {
			return fs[i].Widened
		}
		if fs[i].Path != fs[j].Path {
			return fs[i].Path < fs[j].Path
		}
		return fs[i].Field < fs[j].Field
	})
}

// Severity is how urgent a finding is for a reader under pressure.
type Severity string

// Severities, the order a summary lists findings in.
const (
	SeverityDataLoss   Severity = "data loss"
	SeveritySecurity   Severity = "security"
	SeverityVisibility Severity = "visibility"
	SeverityMetadata   Severity = "metadata"
	SeverityErrno      Severity = "errno"
)

// Severities lists the severities from the most to the least urgent.
var Severities = []Severity{SeverityCrash, SeverityKernelWarning, SeveritySecurity, SeverityDataLoss, SeverityVisibility, SeverityMetadata, SeverityErrno}

// Severity classifies the finding for a reader under pressure: crash
// (the backend or the kernel failed by itself, KindCrash), kernel warning
// (a filesystem under test logged a warning, KindKernelWarning), security
// (access the plain copy refuses, or a setuid/setgid bit the plain copy
// dropped), data loss (an entry or its data gone or changed, a read-only
// layer modified, a view that changes across a remount), visibility
// (something that should not be seen, a view that contradicts itself),
// metadata (mode, owner, xattrs, links, targets), errno (an op's result).
func (f Finding) Severity() Severity {
	switch f.Kind {
	case KindCrash:
		return SeverityCrash
	case KindKernelWarning:
		return SeverityKernelWarning
	case KindAccess:
		if f.Widened {
			return SeveritySecurity
		}
		return SeverityMetadata
	case KindMode:
		if specialBitsWidened(f.Reference, f.Merged) {
			return SeveritySecurity
		}
		return SeverityMetadata
	case KindMissing, KindContent, KindLowerModified, KindPersistence:
		return SeverityDataLoss
	case KindExtra, KindInvariant, KindType:
		return SeverityVisibility
	case KindErrno:
		return SeverityErrno
	}
	return SeverityMetadata
}

// specialBitsWidened reports whether the merged octal mode has a setuid or
// setgid bit that the reference's has not.
func specialBitsWidened(ref, merged string) bool {
	var r, m uint32
	if _, err := fmt.Sscanf(ref, "%o", &r); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(merged, "%o", &m); err != nil {
		return false
	}
	return m&^r&0o6000 != 0
}
