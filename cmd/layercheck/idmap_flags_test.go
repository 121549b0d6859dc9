package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/sandbox"
)

// TestParseIdmap: --idmap's bad values are one-line usage errors (exit
// 2); a good one parses, and a rootless run widens its namespace to hold
// the mapping's host ids.
func TestParseIdmap(t *testing.T) {
	for _, bad := range []string{"bogus", "all:0:1", "lowers:5:100000:10", "all:0:100000:10,5:100002:10"} {
		_, err := parseIdmap(bad)
		var ue *harness.UsageError
		if !errors.As(err, &ue) || strings.Contains(err.Error(), "\n") {
			t.Errorf("--idmap %q: %v, want a one-line usage error", bad, err)
		}
	}
	if s, err := parseIdmap(""); s != nil || err != nil {
		t.Errorf("no --idmap: %v, %v", s, err)
	}
	s, err := parseIdmap("all")
	if err != nil || s.Mapping.HostEnd() != 165536 {
		t.Fatalf("--idmap all: %v, %v", s, err)
	}
	old := sandbox.RootlessIDs
	defer func() { sandbox.RootlessIDs = old }()
	rootlessIdmap(s)
	if sandbox.RootlessIDs != 165536 {
		t.Errorf("rootless namespace maps %d ids, want 165536", sandbox.RootlessIDs)
	}
}
