package main

import (
	"encoding/json"
	"flag"
	"io"
	"strings"
	"testing"
)

// TestScenarioFileRecordsDimensions: the layout, build mode, build
// backends and commit check fuzz ran with go into the scenario file, and
// replay's flags made from the file ask for the same again; a file
// without them (an older one) is samefs, mount, commit check on.
func TestScenarioFileRecordsDimensions(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var d dimFlags
	d.register(fs)
	if err := fs.Parse([]string{"--layout", "perlayer", "--build", "extract", "--build-backend", "fuse-overlayfs", "--commit-check=false"}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(scenarioFile{Version: 1, Backend: "overlay", Depth: 3, dims: d.record()})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"layout":"perlayer"`, `"build":"extract"`, `"build_backend":"fuse-overlayfs"`, `"no_commit_check":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("scenario file lacks %s: %s", want, b)
		}
	}
	var sf scenarioFile
	if err := json.Unmarshal(b, &sf); err != nil {
		t.Fatal(err)
	}
	var again dimFlags
	again.fromDims(sf.dims)
	if again.record() != d.record() {
		t.Fatalf("replayed dimensions %+v, recorded %+v", again.record(), d.record())
	}
	var old dimFlags
	old.fromDims(dims{})
	if old.build != "mount" || !old.commit.check || old.record() != (dims{}) {
		t.Fatalf("an older file replays as %+v", old)
	}
}
