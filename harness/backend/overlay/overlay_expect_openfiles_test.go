package overlay

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// stackWith is a stack (upper first) whose one lower holds path with data.
func stackWith(t *testing.T, path, data string) []string {
	upper, lower := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(lower, path)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lower, path), []byte(data), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{upper, lower}
}

func errnoFinding(ref, merged string) snapshot.Finding {
	return snapshot.Finding{Kind: snapshot.KindErrno, Reference: ref, Merged: merged}
}

// The MAP_SHARED expectation takes a mapping that shows exactly the lower
// copy, and nothing else.
func TestMapSharedMatchesOnlyTheLowerCopy(t *testing.T) {
	ev := &backend.Evidence{Op: fsop.MapRead{FD: "r", Len: 4}, Stack: stackWith(t, "etc/f", "ab"), Named: map[string]bool{"etc/f": true}}
	if !matchMapSharedStale(errnoFinding("ok len=4 data=58590000", "ok len=4 data=61620000"), ev) {
		t.Error("a mapping showing the lower copy (and the page's zeros) was not matched")
	}
	if matchMapSharedStale(errnoFinding("ok len=4 data=58590000", "ok len=4 data=7a7a0000"), ev) {
		t.Error("a mapping showing bytes no layer holds was matched")
	}
	if matchMapSharedStale(errnoFinding("ok len=4 data=58590000", "SIGBUS"), ev) {
		t.Error("a SIGBUS was matched")
	}
	ev.Op = fsop.ReadFD{FD: "r", Len: 4}
	if matchMapSharedStale(errnoFinding("ok len=4 data=58590000", "ok len=4 data=61620000"), ev) {
		t.Error("a read(2) was matched as a mapping")
	}
}

// The ETXTBSY expectation takes an open for writing of a lower file that
// the reference refused with ETXTBSY, and nothing else.
func TestExecNoETXTBSYMatchesOnlyWritesOfLowerFiles(t *testing.T) {
	stack := stackWith(t, "usr/bin/p", "prog")
	ev := &backend.Evidence{Op: fsop.Open{Path: "usr/bin/p", Flags: unix.O_WRONLY, FD: "w"}, Stack: stack}
	if !matchExecNoETXTBSY(errnoFinding("ETXTBSY", "ok"), ev) {
		t.Error("an open for writing of a lower program was not matched")
	}
	for _, f := range []snapshot.Finding{errnoFinding("ETXTBSY", "EACCES"), errnoFinding("EACCES", "ok")} {
		if matchExecNoETXTBSY(f, ev) {
			t.Errorf("%+v was matched", f)
		}
	}
	ev.Op = fsop.Open{Path: "usr/bin/p", Flags: unix.O_RDONLY, FD: "w"}
	if matchExecNoETXTBSY(errnoFinding("ETXTBSY", "ok"), ev) {
		t.Error("a read-only open was matched")
	}
	ev.Op = fsop.Open{Path: "usr/bin/upper-only", Flags: unix.O_WRONLY, FD: "w"}
	if matchExecNoETXTBSY(errnoFinding("ETXTBSY", "ok"), ev) {
		t.Error("a file no lower layer holds was matched")
	}
}

// The known issue of st_nlink takes a difference of nlink 0 and 1 alone.
func TestUnlinkedLowerNlinkMatchesOnlyTheCount(t *testing.T) {
	ev := &backend.Evidence{Op: fsop.FstatFD{FD: "r"}}
	if !matchUnlinkedLowerNlink(errnoFinding("ok file mode=0644 uid=0 gid=0 size=3 nlink=0", "ok file mode=0644 uid=0 gid=0 size=3 nlink=1"), ev) {
		t.Error("not matched")
	}
	if matchUnlinkedLowerNlink(errnoFinding("ok file mode=0644 uid=0 gid=0 size=3 nlink=0", "ok file mode=0600 uid=0 gid=0 size=3 nlink=1"), ev) {
		t.Error("a mode difference was matched")
	}
}
