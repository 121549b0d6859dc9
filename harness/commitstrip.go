package harness

import "github.com/layercheck/layercheck/harness/snapshot"

// withoutIgnored is s with the Entry fields the commit check ignores
// cleared in every entry (Access and Nlink; Xattrs too with noXattrs): the
// same comparison as go-cmp's IgnoreFields, made before it, so that
// snapshot.Compare's plain-equality pass drops every entry that differs in
// those fields alone. An image's files are hardlinks of a shared extract
// (commitbase.go), so their link counts differ from the merged view's in
// every entry, and go-cmp walking all of them was 6% of a run's CPU.
// s itself is not changed.
func withoutIgnored(s *snapshot.Snapshot, noXattrs bool) *snapshot.Snapshot {
	if s == nil {
		return nil
	}
	out := *s
	out.Entries = make(map[string]snapshot.Entry, len(s.Entries))
	for p, e := range s.Entries {
		e.Access, e.Nlink = nil, 0
		if noXattrs {
			e.Xattrs = nil
		}
		out.Entries[p] = e
	}
	return &out
}
