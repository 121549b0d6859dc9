package fuzz

import (
	"path"
	"strings"
	"sync"

	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"github.com/layercheck/layercheck/harness/triage"
)

// A failure is filed under the signature (triage.Signature) of each of
// its unexpected findings that the gate calls new, the one notion of "the
// same deviation" the suites' summaries and baselines use too. A scenario
// that shows two deviations counts for both: filing it under only its
// most severe one would hide the other behind it, on a backend where a
// deviation shows in most scenarios (and, with --baseline, a deviation
// the baseline holds hides nothing).
//
// Time and inode findings are filed apart by whether they are about a
// directory ("time mtime (on a directory)"): the same field of a
// directory and of a file has had different causes every time (a copy-up
// that loses the parent's mtime; a copy-up that rounds the file's), and
// one shrunk case would stand for both.

// dirSuffix marks a time or inode signature of a directory.
const dirSuffix = " (on a directory)"

// baseDirs holds, by fixture name, the directories of each base tree the
// runs of this process have used (Run fills it; bases never change).
var baseDirs sync.Map

// rememberBase records the directories of fixture's base model m.
func rememberBase(fixture string, m model) {
	dirs := map[string]bool{".": true}
	for p, t := range m {
		if t == "dir" {
			dirs[p] = true
		}
	}
	baseDirs.Store(fixture, dirs)
}

// keyOf is the failure f of res is filed under.
func keyOf(res h.Result, f snapshot.Finding) string {
	sig := triage.Signature(f)
	if (f.Kind == snapshot.KindTime || f.Kind == snapshot.KindInode || f.Kind == snapshot.KindPersistence && strings.HasPrefix(f.Field, "time")) &&
		aboutDir(res.Scenario, f.Path) {
		return sig + dirSuffix
	}
	return sig
}

// aboutDir reports whether p is a directory of s: one of the base's, one
// an op makes, or one an op names something beneath.
func aboutDir(s scenario.Scenario, p string) bool {
	p = path.Clean(p)
	if d, ok := baseDirs.Load(s.FixtureName()); ok && d.(map[string]bool)[p] {
		return true
	}
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			if m, ok := op.(fsop.Mkdir); ok && path.Clean(m.Path) == p {
				return true
			}
			for _, q := range op.Paths() {
				if strings.HasPrefix(path.Clean(q), p+"/") {
					return true
				}
			}
		}
	}
	return false
}

// file adds res to the failure of every key it shows whose signature g
// calls new (all of them without a baseline); the first scenario of each
// key is the one shrunk.
func file(byKey map[string]*Failure, res h.Result, g h.Gate) {
	isNew := map[string]bool{}
	for _, sig := range g.New(res) {
		isNew[sig] = true
	}
	seen := map[string]bool{}
	for _, f := range res.Unexpected() {
		key := keyOf(res, f)
		if !isNew[triage.Signature(f)] || seen[key] {
			continue
		}
		seen[key] = true
		if prev, ok := byKey[key]; ok {
			prev.Hits++
			continue
		}
		byKey[key] = &Failure{Signature: key, Hits: 1, First: res, Known: f.KnownIssue}
	}
}

// findingOf is res's first unexpected finding filed under key.
func findingOf(res h.Result, key string) (snapshot.Finding, bool) {
	for _, f := range res.Unexpected() {
		if keyOf(res, f) == key {
			return f, true
		}
	}
	return snapshot.Finding{}, false
}

// shows reports whether res has an unexpected finding filed under key.
func shows(res h.Result, key string) bool {
	_, ok := findingOf(res, key)
	return ok
}
