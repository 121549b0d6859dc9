package harness

import (
	"encoding/json"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// TestScenarioJSONRoundTrip: a scenario with every op kind survives JSON,
// identities, flags and phases included, so that fuzz reproducers replay
// exactly what ran.
func TestScenarioJSONRoundTrip(t *testing.T) {
	user := By{As: Identity{Name: "user", UID: 1000, GID: 1000, Groups: []uint32{4}}}
	s := Scenario{Name: "all", Suite: "t", Fixture: "mini", Expect: []string{"x"}, Steps: []Step{
		AtLayer(1, Chmod{Path: "a", Mode: 0o4755}, Chown{Path: "a", UID: 1, GID: -1, By: user}, Lchown{Path: "l", UID: 2, GID: 3},
			Remove{Path: "r"}, RemoveAll{Path: "ra"}, Rename{From: "x", To: "y", Flags: unix.RENAME_EXCHANGE, By: user}),
		Runtime(WriteFile{Path: "w", Data: "d\x00é", Mode: 0o600}, Append{Path: "w", Data: "e"}, Truncate{Path: "w", Size: 7},
			Mkdir{Path: "m", Mode: 0o2775}, Symlink{Target: "/abs", Path: "s"}, Link{Old: "w", New: "w2"}, Mkfifo{Path: "f", Mode: 0o600},
			SetXattr{Path: "w", Name: "user.k", Value: "v"}, RemoveXattr{Path: "w", Name: "user.k"}, ListTwice{Path: "m"}),
		OfflineAt(0, Chmod{Path: "a", Mode: 0o700}),
	}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Scenario
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, back) {
		t.Fatalf("round trip changed the scenario:\n%+v\n%+v\n%s", s, back, b)
	}
	if _, err := MarshalOp(SetXattr{Path: "a", Name: "user.b", Value: "\xff\x01"}); err == nil {
		t.Error("an op with bytes JSON cannot carry was written")
	}
	if len(opTypes) != 16 {
		t.Errorf("opTypes has %d kinds; a new op needs an entry here and in UnmarshalOp", len(opTypes))
	}
}
