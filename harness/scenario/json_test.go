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
	s := scenario.Scenario{Name: "all", Suite: "t", Fixture: "mini", Expect: []string{"x"}, Times: scenario.TimesStrictatime, Steps: []scenario.Step{scenario.AtLayer(1, fsop.Chmod{Path: "a", Mode: 0o4755}, fsop.Chown{Path: "a", UID: 1, GID: -1, By: user}, fsop.Lchown{Path: "l", UID: 2, GID: 3}, fsop.RawLchown{Path: "l", HostUID: 7, HostGID: -1}, fsop.Remove{Path: "r"}, fsop.RemoveAll{Path: "ra"}, fsop.Rename{From: "x", To: "y", Flags: unix.RENAME_EXCHANGE, By: user}), scenario.Runtime(fsop.WriteFile{Path: "w", Data: "d\x00é", Mode: 0o600}, fsop.Append{Path: "w", Data: "e"}, fsop.Truncate{Path: "w", Size: 7}, fsop.Mkdir{Path: "m", Mode: 0o2775}, fsop.Symlink{Target: "/abs", Path: "s"}, fsop.Link{Old: "w", New: "w2"}, fsop.Mkfifo{Path: "f", Mode: 0o600}, fsop.SetXattr{Path: "w", Name: "user.k", Value: "v"}, fsop.RemoveXattr{Path: "w", Name: "user.k"}, fsop.ListTwice{Path: "m"}, fsop.Utimens{Path: "s", Atime: fsop.Now, Mtime: fsop.Stamp{Sec: 978307200, Nsec: 5}, NoFollow: true, By: user}, fsop.Utimens{Path: "w", Atime: fsop.Omit, Mtime: fsop.Now}, fsop.ReadFile{Path: "w"}), scenario.Runtime(descriptorOps()...), scenario.OfflineAt(0, fsop.Chmod{Path: "a", Mode: 0o700})}}
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
	if len(fsop.Kinds()) != 37 {
		t.Errorf("opTypes has %d kinds; a new op needs an entry here and in UnmarshalOp", len(fsop.Kinds()))
	}
}

// descriptorOps are one op of every descriptor kind (fsop/fdops.go).
func descriptorOps() []fsop.Op {
	return []fsop.Op{fsop.Open{Path: "w", Flags: unix.O_RDWR | unix.O_CREAT, Mode: 0o640, FD: "f"}, fsop.ReadFD{FD: "f", Offset: -1, Len: 9},
		fsop.WriteFD{FD: "f", Offset: 3, Data: "z\x00"}, fsop.FstatFD{FD: "f"}, fsop.FchmodFD{FD: "f", Mode: 0o600},
		fsop.FchownFD{FD: "f", UID: 1, GID: -1}, fsop.FsetxattrFD{FD: "f", Name: "user.k", Value: "v"}, fsop.FtruncateFD{FD: "f", Size: 2},
		fsop.FsyncFD{FD: "f"}, fsop.Mmap{FD: "f", Shared: true, Length: 4096}, fsop.MapRead{FD: "f", Offset: 1, Len: 2},
		fsop.Flock{FD: "f", How: "ex"}, fsop.FcntlLock{FD: "f", Type: "write", Start: 1, Len: 2},
		fsop.OpenTmpfile{Dir: "m", Flags: unix.O_RDWR, Mode: 0o600, FD: "t"}, fsop.Linkat{FD: "t", Path: "m/t"},
		fsop.WriteProgram{Path: "p", Mode: 0o755, Exit: 3, Pause: true}, fsop.Exec{Path: "p", Hold: "run", By: fsop.By{As: fsop.Identity{Name: "u", UID: 1000, GID: 1000}}},
		fsop.Close{FD: "run"}}
}
