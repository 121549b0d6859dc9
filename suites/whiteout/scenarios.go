// Package whiteout holds the scenarios that pin down deletion: a deleted
// entry stays deleted in every layer above, a recreated one shows exactly
// its new self, and no whiteout or marker is ever seen.
//
// The scenarios come in groups, one file each: deletions of every type
// (delete.go), deletions followed by a new entry of the same name, of the
// same type or another (recreate.go), directories merged from several
// layers with deletions among them (merged.go), renames and links into a
// deleted name (into.go), and names that look like whiteout markers
// (lookalike.go). Every scenario also checks the view after a remount, and
// after every layer and the upper are copied file by file to new
// directories and mounted from there (Scenario.Rebuild).
//
// The suite is meant to run in both build modes (harness.BuildMount and
// harness.BuildExtract): layers written through the backend and layers
// written directly in its on-disk format, as an image extractor does.
package whiteout

import (
	"github.com/layercheck/layercheck/harness/scenario"
)

// Scenarios returns the suite's scenarios, unexpanded.
func Scenarios() []scenario.Scenario {
	var s []scenario.Scenario
	for _, group := range [][]scenario.Scenario{deletes(), recreates(), merged(), intoDeleted(), lookalikes()} {
		s = append(s, group...)
	}
	for i := range s {
		s[i].Suite = "whiteout"
		s[i].Rebuild = true
	}
	return s
}
