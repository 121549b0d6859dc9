package fuzz

import (
	"strings"

	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Coverage of findings: beside the ops it generated (op kind x place x
// type), a run counts the findings its scenarios produced, by kind and
// field, expected and standing ones too (a check that ran and found a
// documented deviation has run), and says which kinds it could produce
// on this configuration at all.

// Kinds are the finding kinds the engine makes, in a fixed order.
var Kinds = []snapshot.Kind{
	snapshot.KindMissing, snapshot.KindExtra, snapshot.KindType, snapshot.KindMode, snapshot.KindOwner,
	snapshot.KindContent, snapshot.KindLink, snapshot.KindXattr, snapshot.KindSymlink, snapshot.KindErrno,
	snapshot.KindAccess, snapshot.KindInvariant, snapshot.KindPersistence, snapshot.KindLowerModified,
	snapshot.KindFailedOpCopyUp, snapshot.KindInode, snapshot.KindTime, snapshot.KindCommit, snapshot.KindCrash,
}

// Unreachable maps each kind fuzz cannot produce on cfg to why: a check
// the configuration turns off whatever the scenario carries.
func Unreachable(cfg h.Config) map[snapshot.Kind]string {
	out := map[snapshot.Kind]string{}
	off := cfg.ChecksOff()
	if why, ok := off["times"]; ok {
		out[snapshot.KindTime] = why
	}
	if why, ok := off["commit"]; ok {
		out[snapshot.KindCommit] = why
	}
	return out
}

// cell is a finding's coverage cell: its kind and field, with what varies
// by file dropped (an xattr's name, a persistence finding's details).
func cell(f snapshot.Finding) string {
	field, _, _ := strings.Cut(f.Field, ":")
	if f.Kind == snapshot.KindPersistence || f.Kind == snapshot.KindLowerModified {
		field, _, _ = strings.Cut(field, " ")
	}
	return strings.TrimSpace(string(f.Kind) + " " + field)
}

// countFindings adds res's findings to the report's finding cells.
func (rep *Report) countFindings(res h.Result) {
	for _, f := range res.Findings {
		rep.Produced[cell(f)]++
	}
}

// KindsProduced lists the kinds of the finding cells, each once.
func (rep *Report) KindsProduced() map[snapshot.Kind]int {
	out := map[snapshot.Kind]int{}
	for c, n := range rep.Produced {
		k, _, _ := strings.Cut(c, " ")
		out[snapshot.Kind(k)] += n
	}
	return out
}
