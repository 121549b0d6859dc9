package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/layercheck/layercheck/harness/backend"
	execbackend "github.com/layercheck/layercheck/harness/backend/exec"
	"github.com/layercheck/layercheck/harness/backend/fuseoverlayfs"
	"github.com/layercheck/layercheck/harness/backend/registry"
	"github.com/layercheck/layercheck/harness/backend/unionfs"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/daemon"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/internal/testenv"
	"golang.org/x/sys/unix"
)

// These tests check the FUSE adapters' mechanics: that each mounts, shows
// its layers, writes its on-disk format, unmounts, and that its daemon is
// reaped on every way out (a hung daemon, a dead one, one that outlives
// its unmount). They do not check that a backend is free of bugs: the
// suites do that, and report what they find.

func requireProgram(t *testing.T, prog string) {
	t.Helper()
	testenv.RequireRoot(t)
	if _, err := exec.LookPath(prog); err != nil {
		t.Skipf("%s is not installed (.ci/run installs it)", prog)
	}
	if _, err := exec.LookPath("fusermount3"); err != nil {
		t.Skip("fusermount3 is not installed (package fuse3)")
	}
}

// fuseStack makes two lowers (the bottom one with file a, directory d with
// file d/b, and hardlinks h1/h2), an upper, a work dir and a target.
func fuseStack(t *testing.T) backend.MountSpec {
	t.Helper()
	tmp := t.TempDir()
	spec := backend.MountSpec{Lowers: []string{filepath.Join(tmp, "l1"), filepath.Join(tmp, "l0")},
		Upper: filepath.Join(tmp, "u"), Work: filepath.Join(tmp, "w"), Target: filepath.Join(tmp, "m")}
	for _, d := range []string{spec.Lowers[0], spec.Lowers[1], spec.Upper, spec.Work, spec.Target, filepath.Join(spec.Lowers[1], "d")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(spec.Lowers[1], "a"), []byte("bottom"), 0o644)
	os.WriteFile(filepath.Join(spec.Lowers[0], "a"), []byte("top"), 0o644)
	os.WriteFile(filepath.Join(spec.Lowers[1], "d", "b"), []byte("b"), 0o644)
	t.Cleanup(func() {
		// Whatever a failing test left: never a mount behind.
		for _, mp := range mustMountsBeneath(tmp) {
			unix.Unmount(mp, unix.MNT_DETACH)
		}
	})
	return spec
}

func mustMountsBeneath(dir string) []string {
	mps, _ := mounts.Beneath(dir)
	return mps
}

// checkGone asserts that nothing is mounted at the target and that the
// daemon has been reaped (its PID no longer names our child).
func checkGone(t *testing.T, spec backend.MountSpec, m backend.Mount) {
	t.Helper()
	if _, ok := mounts.Find(spec.Target); ok {
		t.Errorf("%s is still mounted", spec.Target)
	}
	dm, ok := m.(*daemon.Mounted)
	if !ok || dm.PID() == 0 {
		t.Fatalf("not a daemon mount: %T", m)
	}
	if dm.Running() {
		t.Errorf("daemon %d still running", dm.PID())
	}
	if err := unix.Kill(dm.PID(), 0); err == nil {
		if st, _ := daemon.ProcIdentity(dm.PID()); st != "?" {
			t.Errorf("pid %d still exists after the daemon was reaped", dm.PID())
		}
	}
	if daemon.Recorded(dm.PID()) {
		t.Errorf("daemon %d still in the registry", dm.PID())
	}
}

func mountOrFatal(t *testing.T, ctx context.Context, b backend.Backend, spec backend.MountSpec) backend.Mount {
	t.Helper()
	m, err := b.Mount(ctx, spec)
	if err != nil {
		t.Fatalf("%s mount: %v", b.Name(), err)
	}
	return m
}

// TestFuseOverlayfsWritesOverlayFormat: the top layer wins, a deleted
// lower file is a 0/0 character device in the upper, a directory deleted
// and made again is opaque (trusted.overlay.opaque=y); unmount leaves
// nothing mounted and no daemon.
func TestFuseOverlayfsWritesOverlayFormat(t *testing.T) {
	requireProgram(t, fuseoverlayfs.FuseOverlayfsProgram)
	spec := fuseStack(t)
	b, _ := fuseoverlayfs.NewFuseOverlayfs("")
	m := mountOrFatal(t, context.Background(), b, spec)
	got, err := os.ReadFile(filepath.Join(spec.Target, "a"))
	if err != nil || string(got) != "top" {
		t.Errorf("merged a = %q, %v; want the top layer's", got, err)
	}
	steps := []error{
		os.Remove(filepath.Join(spec.Target, "a")),
		os.RemoveAll(filepath.Join(spec.Target, "d")),
		os.Mkdir(filepath.Join(spec.Target, "d"), 0o755),
	}
	if err := errors.Join(steps...); err != nil {
		t.Errorf("ops through the mount: %v", err)
	}
	if err := m.Unmount(); err != nil {
		t.Errorf("unmount: %v", err)
	}
	checkGone(t, spec, m)
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(spec.Upper, "a"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("upper/a: want a 0/0 character device (whiteout), got mode %o rdev %d, %v", st.Mode, st.Rdev, err)
	}
	buf := make([]byte, 8)
	n, err := unix.Lgetxattr(filepath.Join(spec.Upper, "d"), "trusted.overlay.opaque", buf)
	if err != nil || string(buf[:n]) != "y" {
		t.Errorf("upper/d: want trusted.overlay.opaque=y, got %q, %v", buf[:n], err)
	}
}

// TestUnionfsFuseWritesHiddenMarkers: deletions of lower entries are
// recorded as U/.unionfs-fuse/P_HIDDEN~, the metadata directory is not
// listed, and unmount leaves nothing behind.
func TestUnionfsFuseWritesHiddenMarkers(t *testing.T) {
	requireProgram(t, unionfs.UnionfsFuseProgram)
	spec := fuseStack(t)
	b, _ := unionfs.NewUnionfsFuse("")
	m := mountOrFatal(t, context.Background(), b, spec)
	got, err := os.ReadFile(filepath.Join(spec.Target, "a"))
	if err != nil || string(got) != "top" {
		t.Errorf("merged a = %q, %v; want the top layer's", got, err)
	}
	if err := errors.Join(os.Remove(filepath.Join(spec.Target, "a")), os.RemoveAll(filepath.Join(spec.Target, "d"))); err != nil {
		t.Errorf("ops through the mount: %v", err)
	}
	ents, _ := os.ReadDir(spec.Target)
	for _, e := range ents {
		if e.Name() == unionfs.UnionfsMetaDir {
			t.Errorf("%s listed in the merged root despite hide_meta_files", unionfs.UnionfsMetaDir)
		}
	}
	if err := m.Unmount(); err != nil {
		t.Errorf("unmount: %v", err)
	}
	checkGone(t, spec, m)
	for _, p := range []string{"a_HIDDEN~", "d_HIDDEN~"} {
		if _, err := os.Lstat(filepath.Join(spec.Upper, unionfs.UnionfsMetaDir, p)); err != nil {
			t.Errorf("want %s/%s in the upper: %v", unionfs.UnionfsMetaDir, p, err)
		}
	}
}

// daemonPID is the PID of the process serving m.
func daemonPID(t *testing.T, m backend.Mount) int {
	t.Helper()
	dm, ok := m.(*daemon.Mounted)
	if !ok || dm.PID() == 0 {
		t.Fatalf("not a daemon mount: %T", m)
	}
	return dm.PID()
}

// stopProcess sends SIGSTOP to pid and waits until every thread of it is
// stopped: kill(2) returns before the signal is taken, and a daemon
// thread that runs on for a moment answers the lookup the test meant to
// hang (on a loaded machine the stat then returned ENOENT at once and the
// unmount came before the deadline's abort).
func stopProcess(pid int) error {
	if err := unix.Kill(pid, unix.SIGSTOP); err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		if err != nil {
			return err
		}
		stopped := 0
		for _, task := range tasks {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
			// The state follows the command name's closing parenthesis.
			if i := bytes.LastIndexByte(b, ')'); err == nil && i >= 0 && i+2 < len(b) && (b[i+2] == 'T' || b[i+2] == 't') {
				stopped++
			}
		}
		if stopped == len(tasks) {
			return nil
		}
	}
	return fmt.Errorf("pid %d: not every thread stopped within 10s of SIGSTOP", pid)
}

// TestHungDaemonIsAbortedAtTimeout: a SIGSTOPped daemon blocks every
// syscall on its mount; when the scenario's context times out the
// watchdog aborts the mount, the blocked stat returns, Unmount says what
// happened, and neither the mount nor the daemon stays.
func TestHungDaemonIsAbortedAtTimeout(t *testing.T) {
	for _, prog := range []string{fuseoverlayfs.FuseOverlayfsProgram, unionfs.UnionfsFuseProgram} {
		t.Run(prog, func(t *testing.T) {
			requireProgram(t, prog)
			spec := fuseStack(t)
			b, _ := registry.NewBackend(prog, "")
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			m := mountOrFatal(t, ctx, b, spec)
			pid := daemonPID(t, m)
			if err := stopProcess(pid); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := os.Stat(filepath.Join(spec.Target, "d", "b-never-looked-up"))
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || os.IsNotExist(err) {
					t.Logf("stat returned before the abort (%v): the kernel had it cached", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("a syscall on the hung mount did not return within 15s of a 1.5s timeout")
			}
			err := m.Unmount()
			if err == nil || !strings.Contains(err.Error(), "aborted") {
				t.Errorf("Unmount after an abort: %v; want it to say the mount was aborted", err)
			}
			if ce := (*backend.CrashError)(nil); !errors.As(err, &ce) || ce.Field != backend.CrashHang {
				t.Errorf("Unmount after an abort at the deadline: %v; want a hang crash", err)
			}
			checkGone(t, spec, m)
		})
	}
}

// TestDeadDaemonIsReported: a daemon killed while mounted leaves a dead
// mount; Unmount removes it and reports the death.
func TestDeadDaemonIsReported(t *testing.T) {
	requireProgram(t, fuseoverlayfs.FuseOverlayfsProgram)
	spec := fuseStack(t)
	b, _ := fuseoverlayfs.NewFuseOverlayfs("")
	m := mountOrFatal(t, context.Background(), b, spec)
	unix.Kill(daemonPID(t, m), unix.SIGKILL)
	m.(*daemon.Mounted).WaitExit(5 * time.Second)
	if _, err := os.Stat(filepath.Join(spec.Target, "a")); !errors.Is(err, unix.ENOTCONN) {
		t.Logf("stat on a dead FUSE mount: %v (want ENOTCONN)", err)
	}
	err := m.Unmount()
	if err == nil || !strings.Contains(err.Error(), "exited while mounted") {
		t.Errorf("Unmount of a dead daemon's mount: %v; want it reported", err)
	}
	if ce := (*backend.CrashError)(nil); !errors.As(err, &ce) || ce.Field != backend.CrashSignal || ce.Status != "signal: killed" {
		t.Errorf("Unmount of a daemon killed by a signal: %v; want a signal crash", err)
	}
	checkGone(t, spec, m)
}

// TestDaemonOutlivingUnmountIsKilled: an exec template whose process
// stays after its mount is gone (a wrapper that sleeps on) is killed,
// with its whole process group, after UnmountWait, and reported.
func TestDaemonOutlivingUnmountIsKilled(t *testing.T) {
	requireProgram(t, fuseoverlayfs.FuseOverlayfsProgram)
	old := daemon.UnmountWait
	daemon.UnmountWait = 500 * time.Millisecond
	defer func() { daemon.UnmountWait = old }()
	spec := fuseStack(t)
	b, err := execbackend.NewExec("fuse-overlayfs -f -o lowerdir={lowers},upperdir={upper},workdir={work} {target}; sleep 600", "fusermount3 -u {target}")
	if err != nil {
		t.Fatal(err)
	}
	m := mountOrFatal(t, context.Background(), b, spec)
	err = m.Unmount()
	if err == nil || !strings.Contains(err.Error(), "still running") {
		t.Errorf("Unmount: %v; want the lingering process reported", err)
	}
	checkGone(t, spec, m)
}

// TestExecTemplateDrivesFuseOverlayfs: the placeholders expand to the same
// command line the native adapter runs, a daemonizing command (no -f) is
// adopted and reaped, and the program's documented expectations carry over.
func TestExecTemplateDrivesFuseOverlayfs(t *testing.T) {
	spec := backend.MountSpec{Lowers: []string{"/l/top", "/l/bottom"}, Upper: "/u", Work: "/w", Target: "/m m"}
	cases := map[string]string{
		"{lowers}":                    "/l/top:/l/bottom",
		"{lowers_bottom_first}":       "/l/bottom:/l/top",
		"{upper}=RW:{lowers:=RO:}=RO": "/u=RW:/l/top=RO:/l/bottom=RO",
		"{target}":                    "'/m m'",
	}
	for tmpl, want := range cases {
		if got := execbackend.ExpandTemplate(tmpl, spec); got != want {
			t.Errorf("ExpandTemplate(%q) = %q, want %q", tmpl, got, want)
		}
	}
	if _, err := execbackend.NewExec("x {nope} {target}", ""); err == nil {
		t.Error("an unknown placeholder was accepted")
	}
	e, _ := registry.NewBackendUnmount("exec:fuse-overlayfs -f -o lowerdir={lowers},upperdir={upper},workdir={work} {target}", "", "")
	native, _ := fuseoverlayfs.NewFuseOverlayfs("")
	if len(e.Expectations()) != len(native.Expectations()) || e.Expectations()[0].Citation != native.Expectations()[0].Citation {
		t.Error("exec:fuse-overlayfs does not carry fuse-overlayfs's documented expectations")
	}

	requireProgram(t, fuseoverlayfs.FuseOverlayfsProgram)
	st := fuseStack(t)
	d, _ := execbackend.NewExec("fuse-overlayfs -o lowerdir={lowers},upperdir={upper},workdir={work} {target}", "fusermount3 -u {target}")
	m := mountOrFatal(t, context.Background(), d, st)
	if got, err := os.ReadFile(filepath.Join(st.Target, "a")); err != nil || string(got) != "top" {
		t.Errorf("merged a through a daemonizing template = %q, %v", got, err)
	}
	dm := m.(*daemon.Mounted)
	if dm.PID() == 0 || !daemon.HoldsFuseDevice(dm.PID()) {
		t.Fatalf("the daemonized fuse-overlayfs was not adopted")
	}
	if err := m.Unmount(); err != nil {
		t.Errorf("unmount: %v", err)
	}
	checkGone(t, st, m)
}

// TestCleanupKillsOnlyRecordedDaemons: `layercheck cleanup` kills a
// daemon recorded by a dead run, and leaves alone a live process whose
// PID is recorded with another command line (a reused PID).
func TestCleanupKillsOnlyRecordedDaemons(t *testing.T) {
	testenv.RequireRoot(t)
	base := t.TempDir()
	victim := exec.Command("sleep", "600")
	victim.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { victim.Wait(); close(exited) }()
	defer victim.Process.Kill()
	bystander := exec.Command("sleep", "601")
	if err := bystander.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { bystander.Process.Kill(); bystander.Wait() }()
	vs, vc := daemon.ProcIdentity(victim.Process.Pid)
	bs, _ := daemon.ProcIdentity(bystander.Process.Pid)
	deadRun := 1 << 22 // above pid_max's default: no such process
	lines := fmt.Sprintf("%d %s %s\n%d %s %s\n", victim.Process.Pid, vs, vc, bystander.Process.Pid, bs, "fuse-overlayfs -f -o lowerdir=/x /y")
	file := filepath.Join(base, "run-"+strconv.Itoa(deadRun)+daemon.RecordSuffix)
	if err := os.WriteFile(file, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	killed, err := daemon.KillRecorded(base)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Error("the recorded daemon was not killed")
	}
	if len(killed) != 1 {
		t.Errorf("killed %v; want exactly the recorded daemon", killed)
	}
	if err := bystander.Process.Signal(syscall.Signal(0)); err != nil {
		t.Error("cleanup killed a process whose command line does not match the record")
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Error("the daemon record was not removed")
	}
}

// TestFuseFormatsAreReadBack: a layer written without a mount in each FUSE
// backend's format (a whiteout for a, an opaque d) is read by the backend
// as the harness meant it: a is gone, d is empty.
func TestFuseFormatsAreReadBack(t *testing.T) {
	for _, prog := range []string{fuseoverlayfs.FuseOverlayfsProgram, unionfs.UnionfsFuseProgram} {
		t.Run(prog, func(t *testing.T) {
			requireProgram(t, prog)
			spec := fuseStack(t)
			b, _ := registry.NewBackend(prog, "")
			f, err := b.(backend.Extractable).WhiteoutFormat("")
			if err != nil {
				t.Fatal(err)
			}
			// The top lower (l1) deletes a and makes d opaque.
			os.Remove(filepath.Join(spec.Lowers[0], "a"))
			os.Mkdir(filepath.Join(spec.Lowers[0], "d"), 0o755)
			top, err := fsop.OpenTree(spec.Lowers[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := errors.Join(f.Whiteout(top, "a"), f.Opaque(top, "d")); err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
			top.Close()
			m := mountOrFatal(t, context.Background(), b, spec)
			_, aErr := os.Lstat(filepath.Join(spec.Target, "a"))
			ents, dErr := os.ReadDir(filepath.Join(spec.Target, "d"))
			if err := m.Unmount(); err != nil {
				t.Errorf("unmount: %v", err)
			}
			if !os.IsNotExist(aErr) {
				t.Errorf("a whited out by %s: lstat gives %v, want ENOENT", f.Name(), aErr)
			}
			if dErr != nil || len(ents) != 0 {
				t.Errorf("d made opaque by %s: lists %v (%v), want nothing", f.Name(), ents, dErr)
			}
		})
	}
}
