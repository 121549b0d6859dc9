package snapshot

// Splice is the snapshot of a tree of which part was copied from base and
// then changed: every entry of part, and every entry of base that owned
// does not claim (owned says which paths the copy holds, as they were and
// as ops changed them). base's entries are shared, not copied: neither
// snapshot may change afterwards. A reference that copies only what a
// scenario touches is snapshotted this way (harness/reference.go).
func Splice(base, part *Snapshot, owned func(p string) bool) *Snapshot {
	out := &Snapshot{Entries: make(map[string]Entry, len(base.Entries)+len(part.Entries)), Invariants: part.Invariants,
		times: make(map[string]Times, len(base.times)+len(part.times))}
	for p, e := range base.Entries {
		if !owned(p) {
			out.Entries[p] = e
		}
	}
	for p, t := range base.times {
		if !owned(p) {
			out.times[p] = t
		}
	}
	for p, e := range part.Entries {
		out.Entries[p] = e
	}
	for p, t := range part.times { // what the snapshot records beside the entries splices alike
		out.times[p] = t
	}
	return out
}
