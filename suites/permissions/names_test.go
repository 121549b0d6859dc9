package permissions_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/suites/permissions"
)

// Labels that name a file type; every scenario carries at least one, and
// at least one op label.
var fileTypes = []string{"file", "dir", "symlink", "fifo", "hardlink"}

// TestScenarioNamesAndLabels: every expanded scenario has a unique name at
// every depth, a doc, a file-type label and an op label, and no label that
// Ginkgo would refuse.
func TestScenarioNamesAndLabels(t *testing.T) {
	for _, s := range permissions.Scenarios() {
		if s.Doc == "" {
			t.Errorf("%s: no doc", s.Name)
		}
		if !slices.ContainsFunc(s.Labels, func(l string) bool { return slices.Contains(fileTypes, l) }) {
			t.Errorf("%s: no file-type label in %v", s.Name, s.Labels)
		}
		if !slices.ContainsFunc(s.Labels, func(l string) bool { return !slices.Contains(fileTypes, l) }) {
			t.Errorf("%s: no op label in %v", s.Name, s.Labels)
		}
		for _, l := range s.Labels {
			if strings.ContainsAny(l, "&|!,()/ ") {
				t.Errorf("%s: label %q", s.Name, l)
			}
		}
	}
	for _, depth := range []int{1, 2, 3, 5, 50} {
		seen := map[string]bool{}
		for _, s := range permissions.Scenarios() {
			for _, inst := range scenario.Expand(s, depth) {
				if seen[inst.Name] {
					t.Errorf("depth %d: two scenarios named %s", depth, inst.Name)
				}
				seen[inst.Name] = true
			}
		}
	}
}

// TestSuiteSize: at depth 5 the suite runs at least 150 scenarios (the
// issue's floor), none of them skipped for want of layers.
func TestSuiteSize(t *testing.T) {
	n := 0
	for _, s := range permissions.Scenarios() {
		for _, inst := range scenario.Expand(s, 5) {
			if inst.Skip != "" {
				t.Errorf("%s: skipped at depth 5: %s", inst.Name, inst.Skip)
			}
			n++
		}
	}
	if n < 150 {
		t.Errorf("%d scenarios at depth 5, want at least 150", n)
	}
}
