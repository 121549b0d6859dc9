package harness

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/fuseoverlayfs"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/daemon"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// fuseOverlayfs is the fuse-overlayfs backend with its defaults, or a skip.
func fuseOverlayfs(t *testing.T) *fuseoverlayfs.FuseOverlayfs {
	t.Helper()
	requireProgram(t, fuseoverlayfs.FuseOverlayfsProgram)
	fo, err := fuseoverlayfs.NewFuseOverlayfs("")
	if err != nil {
		t.Fatal(err)
	}
	return fo
}

// segfaultsAtRuntime is fuse-overlayfs whose daemon gets SIGSEGV right
// after the runtime mount (the one with the scenario's own upper) is up:
// the next op meets a dead FUSE connection, as after a real crash.
type segfaultsAtRuntime struct {
	*fuseoverlayfs.FuseOverlayfs
}

func (b segfaultsAtRuntime) Mount(ctx context.Context, s backend.MountSpec) (backend.Mount, error) {
	m, err := b.FuseOverlayfs.Mount(ctx, s)
	if err != nil || !strings.HasSuffix(s.Upper, "/u") {
		return m, err
	}
	dm := m.(*daemon.Mounted)
	unix.Kill(dm.PID(), unix.SIGSEGV)
	dm.WaitExit(5 * time.Second)
	return m, nil
}

// TestDaemonCrashIsAFinding: a daemon killed by a signal while serving
// fails the scenario with a crash finding that names the signal and the
// op that met the dead mount, not an error; the ops after it do not run
// and nothing stays mounted.
func TestDaemonCrashIsAFinding(t *testing.T) {
	cfg := testConfig(t, segfaultsAtRuntime{fuseOverlayfs(t)}, 2)
	s := scenario.Scenario{Name: "segv", Suite: "t", Steps: []scenario.Step{
		scenario.AtLayer(1, fsop.WriteFile{Path: "etc/l1", Data: "x", Mode: 0o644}),
		scenario.Runtime(fsop.Chmod{Path: "etc/passwd", Mode: 0o600}, fsop.WriteFile{Path: "etc/after", Data: "y", Mode: 0o644}),
	}}
	res := RunScenario(context.Background(), cfg, s)
	if res.Verdict != Fail {
		t.Fatalf("verdict %s (%s); want fail with a crash finding", res.Verdict, res.Reason)
	}
	var crash *snapshot.Finding
	for i, f := range res.Findings {
		if f.Kind == snapshot.KindCrash {
			crash = &res.Findings[i]
		}
		if f.Kind == snapshot.KindErrno && f.Op == (fsop.Chmod{Path: "etc/passwd", Mode: 0o600}).Shell() {
			t.Errorf("the crashed op is also an errno finding: %v", f)
		}
	}
	if crash == nil {
		t.Fatalf("no crash finding in %v", res.Findings)
	}
	if crash.Field != backend.CrashSignal || !strings.Contains(crash.Merged, "segmentation fault") ||
		crash.Path != "etc/passwd" || crash.Stage != "runtime" || crash.Reference != "ok" {
		t.Errorf("crash finding = %+v; want field signal, the signal named, the chmod of etc/passwd at runtime", *crash)
	}
	t.Log(crash)
	if crash.Severity() != snapshot.SeverityCrash {
		t.Errorf("severity %s", crash.Severity())
	}
	for _, op := range res.Ops {
		if strings.Contains(op.Op, "etc/after") {
			t.Errorf("an op ran after the crash: %+v", op)
		}
	}
	if left := mustMountsBeneath(cfg.Scratch); len(left) > 0 {
		t.Errorf("left mounted: %v", left)
	}
}

// stopsAtRuntime is fuse-overlayfs whose daemon is stopped (SIGSTOP)
// right after the runtime mount is up: the next op hangs on it.
type stopsAtRuntime struct {
	*fuseoverlayfs.FuseOverlayfs
}

func (b stopsAtRuntime) Mount(ctx context.Context, s backend.MountSpec) (backend.Mount, error) {
	m, err := b.FuseOverlayfs.Mount(ctx, s)
	if err == nil && strings.HasSuffix(s.Upper, "/u") {
		// fuse_test.go; should it fail, the op does not hang and the
		// test says so.
		_ = stopProcess(m.(*daemon.Mounted).PID())
	}
	return m, err
}

// TestHungOpIsACrash: an op that hangs past the scenario's time limit is
// aborted by the watchdog and fails the scenario with a hang crash that
// names the op, not an error.
func TestHungOpIsACrash(t *testing.T) {
	cfg := testConfig(t, stopsAtRuntime{fuseOverlayfs(t)}, 2)
	cfg.Timeout = 2 * time.Second
	s := scenario.Scenario{Name: "hang", Suite: "t", Steps: []scenario.Step{
		scenario.Runtime(fsop.WriteFile{Path: "etc/new-file", Data: "y", Mode: 0o644}),
	}}
	res := RunScenario(context.Background(), cfg, s)
	if res.Verdict != Fail || len(res.Findings) == 0 || res.Findings[0].Kind != snapshot.KindCrash ||
		res.Findings[0].Field != backend.CrashHang || res.Findings[0].Path != "etc/new-file" {
		t.Fatalf("verdict %s (%s), findings %v; want a hang crash of the write", res.Verdict, res.Reason, res.Findings)
	}
	if left := mustMountsBeneath(cfg.Scratch); len(left) > 0 {
		t.Errorf("left mounted: %v", left)
	}
}
