package snapshot

import (
	"reflect"
	"testing"
)

// TestSameEntryComparesEveryField: the prefilter of Compare knows every
// field of Entry; a field added without it would make Compare slow (every
// entry handed to go-cmp), never wrong.
func TestSameEntryComparesEveryField(t *testing.T) {
	if n := reflect.TypeFor[Entry]().NumField(); n != entryFields {
		t.Fatalf("Entry has %d fields, sameEntry compares %d: compare the new field in sameEntry", n, entryFields)
	}
	base := Entry{Type: "file", Mode: "0644", Links: []string{"b"}, Xattrs: map[string]string{"user.a": "1"}, Access: map[string]string{"user": "r--"}}
	changes := []func(*Entry){
		func(e *Entry) { e.Type = "dir" }, func(e *Entry) { e.Mode = "0600" }, func(e *Entry) { e.UID = 1 },
		func(e *Entry) { e.GID = 1 }, func(e *Entry) { e.Size = 1 }, func(e *Entry) { e.Digest = "x" },
		func(e *Entry) { e.Target = "t" }, func(e *Entry) { e.Rdev = "0:0" }, func(e *Entry) { e.Nlink = 2 },
		func(e *Entry) { e.Links = nil }, func(e *Entry) { e.Xattrs = map[string]string{"user.a": "2"} },
		func(e *Entry) { e.Access = map[string]string{"user": "rw-"} },
	}
	if len(changes) != entryFields {
		t.Fatalf("%d changes for %d fields", len(changes), entryFields)
	}
	for i, change := range changes {
		e := base
		change(&e)
		if sameEntry(base, e) {
			t.Errorf("change %d of Entry is not seen by sameEntry", i)
		}
		ref := &Snapshot{Entries: map[string]Entry{"f": base, "same": base}}
		got := &Snapshot{Entries: map[string]Entry{"f": e, "same": base}}
		if fs := Compare(ref, got); len(fs) == 0 || fs[0].Path != "f" {
			t.Errorf("change %d: findings %v", i, fs)
		}
	}
	if !sameEntry(base, base) {
		t.Error("an entry differs from itself")
	}
}
