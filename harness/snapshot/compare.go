package snapshot

import (
	"fmt"
	"maps"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/layercheck/layercheck/harness/fsop"
)

// Compare explains every difference between the reference snapshot and the
// snapshot of the system under test as findings. go-cmp walks the two
// entry maps; a reporter turns each unequal leaf into a (path, field) pair,
// and the kind of a finding follows from the Entry field it is in, so a
// field added to Entry is compared without a line here. opts are extra
// go-cmp options (for example to ignore a field a backend documents).
func Compare(ref, got *Snapshot, opts ...cmp.Option) []Finding {
	var r diffReporter
	opts = append([]cmp.Option{cmpopts.EquateEmpty(), cmp.Reporter(&r)}, opts...)
	a, b := unequalEntries(ref.Entries, got.Entries)
	cmp.Equal(a, b, opts...)
	return r.findings(ref, got)
}

// unequalEntries keeps only the paths whose entries are not plainly equal
// (or are on one side only), so that go-cmp, which is thorough but slow,
// walks the few entries that differ instead of every entry of both trees.
// Plain equality is strict, so what it drops go-cmp would call equal too.
func unequalEntries(a, b map[string]Entry) (map[string]Entry, map[string]Entry) {
	ra, rb := map[string]Entry{}, map[string]Entry{}
	for p, ea := range a {
		if eb, ok := b[p]; !ok || !sameEntry(ea, eb) {
			ra[p] = ea
		}
	}
	for p, eb := range b {
		if ea, ok := a[p]; !ok || !sameEntry(ea, eb) {
			rb[p] = eb
		}
	}
	return ra, rb
}

func sameEntry(a, b Entry) bool {
	return a.Type == b.Type && a.Mode == b.Mode && a.UID == b.UID && a.GID == b.GID && a.Size == b.Size &&
		a.Digest == b.Digest && a.Target == b.Target && a.Rdev == b.Rdev && a.Nlink == b.Nlink &&
		slices.Equal(a.Links, b.Links) && maps.Equal(a.Xattrs, b.Xattrs) && maps.Equal(a.Access, b.Access) &&
		entryFieldsCompared
}

// entryFields is the number of Entry fields sameEntry compares: a field
// added to Entry makes sameEntry false until it is compared there too (and
// TestSameEntryComparesEveryField fails), so that nothing is ever dropped
// unseen; go-cmp then compares every entry, slowly but completely.
const entryFields = 12

var entryFieldsCompared = reflect.TypeFor[Entry]().NumField() == entryFields

// fieldKinds maps an Entry field to the kind of finding a difference in it is.
var fieldKinds = map[string]Kind{
	"Type": KindType, "Rdev": KindType,
	"Mode": KindMode,
	"UID":  KindOwner, "GID": KindOwner,
	"Size": KindContent, "Digest": KindContent,
	"Target": KindSymlink,
	"Nlink":  KindLink, "Links": KindLink,
	"Xattrs": KindXattr,
	"Access": KindAccess,
}

type diffKey struct{ path, field, key string }

// diffReporter is a cmp.Reporter that records where two entry maps differ.
type diffReporter struct {
	steps cmp.Path
	diffs []diffKey
	seen  map[diffKey]bool
}

func (r *diffReporter) PushStep(ps cmp.PathStep) { r.steps = append(r.steps, ps) }
func (r *diffReporter) PopStep()                 { r.steps = r.steps[:len(r.steps)-1] }
func (r *diffReporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	var k diffKey
	for _, s := range r.steps {
		switch s := s.(type) {
		case cmp.MapIndex:
			if k.path == "" {
				k.path = s.Key().String()
			} else if k.field != "" && k.key == "" {
				k.key = s.Key().String()
			}
		case cmp.StructField:
			if k.field == "" {
				k.field = s.Name()
			}
		}
	}
	if r.seen == nil {
		r.seen = map[diffKey]bool{}
	}
	if !r.seen[k] {
		r.seen[k] = true
		r.diffs = append(r.diffs, k)
	}
}

// findings turns the recorded differences into findings: one per path for
// a missing or extra entry (its subtree folded in), one per path for a
// changed type (other fields of a different thing say nothing more), one
// per field otherwise, one per xattr or identity within a map field.
func (r *diffReporter) findings(ref, got *Snapshot) []Finding {
	var out []Finding
	gone := map[string]Kind{} // path of a missing or extra directory -> kind
	byPath := map[string][]diffKey{}
	var paths []string
	for _, d := range r.diffs {
		if _, ok := byPath[d.path]; !ok {
			paths = append(paths, d.path)
		}
		byPath[d.path] = append(byPath[d.path], d)
	}
	sort.Strings(paths) // parents before children
	for _, p := range paths {
		re, inRef := ref.Entries[p]
		ge, inGot := got.Entries[p]
		if folded(gone, p) {
			continue
		}
		switch {
		case inRef && !inGot:
			out = append(out, Finding{Kind: KindMissing, Path: p, Field: "entry", Reference: re.Type, Merged: "absent", Beneath: countBeneath(ref, p)})
			gone[p] = KindMissing
			continue
		case inGot && !inRef:
			out = append(out, Finding{Kind: KindExtra, Path: p, Field: "entry", Reference: "absent", Merged: ge.Type, Beneath: countBeneath(got, p)})
			gone[p] = KindExtra
			continue
		case re.Type != ge.Type:
			out = append(out, Finding{Kind: KindType, Path: p, Field: "type", Reference: re.Type, Merged: ge.Type})
			continue
		}
		done := map[string]bool{}
		for _, d := range expandMapDiffs(byPath[p], re, ge) {
			kind := fieldKinds[d.field]
			name := strings.ToLower(d.field)
			if kind == KindContent {
				d.field, name = "data", "data" // size and digest say one thing: the data differs
			}
			if d.key != "" {
				name += ":" + d.key
			}
			if done[name] {
				continue
			}
			done[name] = true
			f := Finding{Kind: kind, Path: p, Field: name, Reference: fieldValue(re, d), Merged: fieldValue(ge, d)}
			if kind == KindAccess {
				f.Field = d.key
				f.Widened = widens(f.Reference, f.Merged)
			}
			out = append(out, f)
		}
	}
	return out
}

// expandMapDiffs replaces a difference reported for a whole map field
// (one side empty) by one difference per key that differs.
func expandMapDiffs(ds []diffKey, re, ge Entry) []diffKey {
	var out []diffKey
	for _, d := range ds {
		if d.key != "" {
			out = append(out, d)
			continue
		}
		rv, gv := reflect.ValueOf(re).FieldByName(d.field), reflect.ValueOf(ge).FieldByName(d.field)
		if rv.Kind() != reflect.Map {
			out = append(out, d)
			continue
		}
		keys := map[string]bool{}
		for _, v := range []reflect.Value{rv, gv} {
			for _, k := range v.MapKeys() {
				keys[k.String()] = true
			}
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			a, b := rv.MapIndex(reflect.ValueOf(k)), gv.MapIndex(reflect.ValueOf(k))
			if a.IsValid() != b.IsValid() || a.IsValid() && a.Interface() != b.Interface() {
				out = append(out, diffKey{d.path, d.field, k})
			}
		}
	}
	return out
}

// folded reports whether p lies under a directory already reported missing
// or extra as a whole.
func folded(gone map[string]Kind, p string) bool {
	for q := path.Dir(p); q != "." && q != "/"; q = path.Dir(q) {
		if _, ok := gone[q]; ok {
			return true
		}
	}
	return false
}

func countBeneath(s *Snapshot, dir string) int {
	n := 0
	for p := range s.Entries {
		if strings.HasPrefix(p, dir+"/") {
			n++
		}
	}
	return n
}

// fieldValue formats the value of d's field (or of one key of a map field)
// in e, the way a user reads it.
func fieldValue(e Entry, d diffKey) string {
	if d.field == "data" {
		return fmt.Sprintf("%d bytes, sha256 %.12s", e.Size, e.Digest)
	}
	v := reflect.ValueOf(e).FieldByName(d.field)
	if !v.IsValid() {
		return "?"
	}
	if v.Kind() == reflect.Map {
		if d.key == "" {
			return fmt.Sprint(v.Interface())
		}
		x := v.MapIndex(reflect.ValueOf(d.key))
		if !x.IsValid() {
			return "absent"
		}
		if d.field == "Xattrs" {
			return fsop.XattrText(d.key, x.String()) // ACLs and capabilities in words
		}
		return fmt.Sprint(x.Interface())
	}
	if v.Kind() == reflect.Slice {
		if v.Len() == 0 {
			return "none"
		}
		return strings.Join(v.Interface().([]string), ", ")
	}
	return fmt.Sprint(v.Interface())
}

// widens reports whether the merged access string grants a right the
// reference refuses.
func widens(ref, merged string) bool {
	for i := 0; i < len(ref) && i < len(merged); i++ {
		if ref[i] == '-' && merged[i] != '-' {
			return true
		}
	}
	return false
}

// CompareAs is Compare with every finding relabelled as kind (persistence
// across a remount, a lower layer modified) and phase.
func CompareAs(kind Kind, stage string, before, after *Snapshot, opts ...cmp.Option) []Finding {
	fs := Compare(before, after, opts...)
	for i := range fs {
		if fs[i].Field != string(fs[i].Kind) {
			fs[i].Field = string(fs[i].Kind) + " " + fs[i].Field
		}
		fs[i].Kind = kind
		fs[i].Stage = stage
		fs[i].Widened = false
	}
	return fs
}
