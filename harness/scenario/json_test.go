package scenario_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"golang.org/x/sys/unix"
)

// TestScenarioJSONRoundTrip: a scenario with every op kind survives JSON,
// identities, flags and phases included, so that fuzz reproducers replay
// exactly what ran.
func TestScenarioJSONRoundTrip(t *testing.T) {
	user := fsop.By{As: fsop.Identity{Name: "user", UID: 1000, GID: 1000, Groups: []uint32{4}}}
	s := scenario.Scenario{Name: "all", Suite: "t", Fixture: "mini", Expect: []string{"x"}, Times: scenario.TimesStrictatime, Steps: []scenario.Step{scenario.AtLayer(1, fsop.Chmod{Path: "a", Mode: 0o4755}, fsop.Chown{Path: "a", UID: 1, GID: -1, By: user}, fsop.Lchown{Path: "l", UID: 2, GID: 3}, fsop.Remove{Path: "r"}, fsop.RemoveAll{Path: "ra"}, fsop.Rename{From: "x", To: "y", Flags: unix.RENAME_EXCHANGE, By: user}), scenario.Runtime(fsop.WriteFile{Path: "w", Data: "d\x00é", Mode: 0o600}, fsop.Append{Path: "w", Data: "e"}, fsop.Truncate{Path: "w", Size: 7}, fsop.Mkdir{Path: "m", Mode: 0o2775}, fsop.Symlink{Target: "/abs", Path: "s"}, fsop.Link{Old: "w", New: "w2"}, fsop.Mkfifo{Path: "f", Mode: 0o600}, fsop.SetXattr{Path: "w", Name: "user.k", Value: "v"}, fsop.RemoveXattr{Path: "w", Name: "user.k"}, fsop.ListTwice{Path: "m"}, fsop.Utimens{Path: "s", Atime: fsop.Now, Mtime: fsop.Stamp{Sec: 978307200, Nsec: 5}, NoFollow: true, By: user}, fsop.Utimens{Path: "w", Atime: fsop.Omit, Mtime: fsop.Now}, fsop.ReadFile{Path: "w"}), scenario.OfflineAt(0, fsop.Chmod{Path: "a", Mode: 0o700})}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back scenario.Scenario
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, back) {
		t.Fatalf("round trip changed the scenario:\n%+v\n%+v\n%s", s, back, b)
	}
	if _, err := fsop.MarshalOp(fsop.SetXattr{Path: "a", Name: "user.b", Value: "\xff\x01"}); err == nil {
		t.Error("an op with bytes JSON cannot carry was written")
	}
	if len(fsop.Kinds()) != 18 {
		t.Errorf("opTypes has %d kinds; a new op needs an entry here and in UnmarshalOp", len(fsop.Kinds()))
	}
}
