package kernlog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests read the real kernel log, and write to it: a process that
// writes "<N>text" to /dev/kmsg logs "text" at level N. Every line they
// write carries a nonce, because other tests (and other packages' tests,
// run in parallel by go test ./...) log at the same time, and the Watch
// sees all of it.
//
// What the kernel does with a written line (devkmsg_write), observed on
// 6.18: one write(2) is one record, whatever newlines it holds (they come
// back escaped, \x0a), with the trailing newline dropped. "<4>" sets level
// 4, but facility 0 (kernel) becomes 1 (user): the record reads
// "12,seq,ts,-;WARNING: ...", where the kernel's own records have facility
// 0 ("3,seq,ts,-;overlayfs: failed to resolve ..."). "<0>" gives 8,
// "<191>" gives 191; a line without "<N>" gets facility 1 and the default
// level (default_message_loglevel, the second number of kernel.printk: 4
// here). The flags field is "-", as for kernel records. So Line.Facility
// (Line.FromKernel) tells a test's fake splat from a real one; the
// classifier deliberately ignores it, so that a written line proves the
// reader end to end.

// requireKmsg skips a test that needs to read and write the kernel log.
func requireKmsg(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("reading /dev/kmsg needs root")
	}
	// With kernel.printk_devkmsg=off the kernel accepts writes to
	// /dev/kmsg and drops them, and nothing written would come back.
	if b, err := os.ReadFile("/proc/sys/kernel/printk_devkmsg"); err == nil &&
		strings.TrimSpace(string(b)) == "off" {
		t.Skip("kernel.printk_devkmsg=off drops what is written to /dev/kmsg")
	}
}

// logLine writes one record to the kernel log. Each write uses its own
// descriptor: with kernel.printk_devkmsg=ratelimit (the default) the kernel
// drops writes beyond 10 per 5 seconds on one open file.
func logLine(t *testing.T, s string) {
	t.Helper()
	f, err := os.OpenFile(kmsgPath, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func nonce(t *testing.T) string {
	return fmt.Sprintf("layercheck_test_%d_%d_%s", os.Getpid(), time.Now().UnixNano(),
		strings.ReplaceAll(t.Name(), "/", "_"))
}

func openWatch(t *testing.T) *Watch {
	t.Helper()
	w, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func check(t *testing.T, w *Watch) Report {
	t.Helper()
	rep, err := w.Check()
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// withText returns the lines whose text holds s.
func withText(rep Report, s string) []Line {
	var out []Line
	for _, l := range rep.Lines {
		if strings.Contains(l.Text, s) {
			out = append(out, l)
		}
	}
	return out
}

func only(t *testing.T, rep Report, s string) Line {
	t.Helper()
	got := withText(rep, s)
	if len(got) != 1 {
		t.Fatalf("%d lines hold %q, want 1: %+v", len(got), s, rep.Lines)
	}
	return got[0]
}

func TestWrittenWarningIsReturned(t *testing.T) {
	requireKmsg(t)
	w := openWatch(t)
	n := nonce(t)
	logLine(t, "<4>WARNING: CPU: 0 PID: 1 at fs/overlayfs/copy_up.c:123 ovl_copy_up_one+0x1/0x2 [layercheck-test] "+n+"\n")
	l := only(t, check(t, w), n)
	if l.Class != ClassWarning || !l.Severe() {
		t.Errorf("class %q severe %v, want warning", l.Class, l.Severe())
	}
	if l.Priority != 4 || l.Facility != 1 || l.FromKernel() {
		t.Errorf("priority %d facility %d: want 4 and 1 (user), a written line", l.Priority, l.Facility)
	}
	if pid, ok := l.PID(); !ok || pid != 1 {
		t.Errorf("PID() = %d, %v, want 1", pid, ok)
	}
	if !strings.HasPrefix(l.Text, "WARNING: CPU: 0 PID: 1 at fs/overlayfs/copy_up.c:123 ") {
		t.Errorf("text %q", l.Text)
	}
	if l.Seq == 0 || l.Time == 0 {
		t.Errorf("seq %d time %v: want both set", l.Seq, l.Time)
	}
}

func TestWrittenSplatStaysTogether(t *testing.T) {
	requireKmsg(t)
	w := openWatch(t)
	n := nonce(t)
	for _, s := range []string{
		"------------[ cut here ]------------",
		"WARNING: CPU: 1 PID: 4242 at fs/overlayfs/util.c:1 ovl_x+0x1/0x2 " + n,
		"Call Trace:",
		" <TASK>",
		" ovl_copy_up_flags+0xb5/0x100",
		" </TASK>",
		"---[ end trace 0000000000000000 ]---",
		"after the splat " + n,
	} {
		logLine(t, "<4>"+s+"\n")
	}
	rep := check(t, w)
	l := only(t, rep, "WARNING: CPU: 1 PID: 4242")
	if l.Class != ClassWarning || !strings.HasPrefix(l.Text, "------------[ cut here ]") {
		t.Errorf("class %q text %q", l.Class, l.Text)
	}
	for _, want := range []string{"\n ovl_copy_up_flags+0xb5/0x100\n", "\n---[ end trace"} {
		if !strings.Contains(l.Text, want) {
			t.Errorf("splat lacks %q:\n%s", want, l.Text)
		}
	}
	if strings.Contains(l.Text, "after the splat") {
		t.Errorf("splat ran past its end marker:\n%s", l.Text)
	}
	if len(withText(rep, "after the splat "+n)) != 0 {
		t.Error("an ordinary line was returned as a problem")
	}
}

func TestWrittenOverlayfsLine(t *testing.T) {
	requireKmsg(t)
	w := openWatch(t)
	n := nonce(t)
	logLine(t, "<6>overlayfs: layercheck-test "+n+" upper fs does not support tmpfile.\n")
	l := only(t, check(t, w), n)
	if l.Class != ClassOverlayfs || l.Severe() || l.Priority != 6 {
		t.Errorf("class %q severe %v priority %d", l.Class, l.Severe(), l.Priority)
	}
}

func TestLineBeforeOpenIsNotReturned(t *testing.T) {
	requireKmsg(t)
	n := nonce(t)
	logLine(t, "<4>WARNING: before open "+n+"\n")
	w := openWatch(t)
	logLine(t, "<4>WARNING: after open "+n+"\n")
	rep := check(t, w)
	if len(withText(rep, "before open "+n)) != 0 {
		t.Error("a line logged before Open was returned")
	}
	only(t, rep, "after open "+n)
	// Each Check covers what came after the previous one.
	if got := withText(check(t, w), n); len(got) != 0 {
		t.Errorf("second Check returned again: %+v", got)
	}
}

func TestWatchesSeeEveryRecord(t *testing.T) {
	requireKmsg(t)
	a, b := openWatch(t), openWatch(t)
	n := nonce(t)
	logLine(t, "<3>fuse: layercheck-test "+n+"\n")
	for _, w := range []*Watch{a, b} {
		if l := only(t, check(t, w), n); l.Class != ClassFuse {
			t.Errorf("class %q, want fuse", l.Class)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Check(); err == nil {
		t.Error("Check after Close succeeded")
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestRefusedMountIsReturned has the kernel itself log: overlayfs prints
// "overlayfs: failed to resolve '<lowerdir>': -2" for a lower layer that
// does not exist, with mount(2) and with fsconfig(2) alike (the harness's
// way), and the VFS prints "overlay: Unknown parameter '<name>'" for a
// mount(2) option it does not know (with fsconfig that one goes to the
// context's log, not to the kernel's).
func TestRefusedMountIsReturned(t *testing.T) {
	requireKmsg(t)
	dir := t.TempDir()
	upper, work, mnt := filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "mnt")
	for _, d := range []string{upper, work, mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "nonexistent")
	w := openWatch(t)
	err := unix.Mount("overlay", mnt, "overlay", 0,
		"lowerdir="+missing+",upperdir="+upper+",workdir="+work)
	if err == unix.ENODEV {
		t.Skip("no overlay filesystem")
	}
	if err != unix.ENOENT {
		t.Fatalf("mount: %v, want ENOENT", err)
	}
	l := only(t, check(t, w), "'"+missing+"'")
	if l.Class != ClassOverlayfs || !l.FromKernel() || l.Priority != 3 {
		t.Errorf("class %q facility %d priority %d, want overlayfs from the kernel at 3", l.Class, l.Facility, l.Priority)
	}
	t.Logf("kernel: %q", l.Text)
	for path, want := range map[string]bool{missing: true, missing + "/": true, dir: true,
		upper: false, dir + "/nonexist": false, "/": false} {
		if l.Mentions(path) != want {
			t.Errorf("Mentions(%q) = %v, want %v", path, !want, want)
		}
	}
	if _, ok := l.PID(); ok {
		t.Error("an overlayfs message names no process")
	}

	t.Run("fsconfig", func(t *testing.T) { refusedLowerFsconfig(t, w, missing) })
	t.Run("unknown option", func(t *testing.T) { unknownOption(t, w, upper, work, mnt) })
}

func refusedLowerFsconfig(t *testing.T, w *Watch, missing string) {
	fs, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		t.Skipf("fsopen: %v", err)
	}
	defer unix.Close(fs)
	if err := unix.FsconfigSetString(fs, "lowerdir+", missing); err != unix.ENOENT {
		t.Fatalf("fsconfig: %v, want ENOENT", err)
	}
	l := only(t, check(t, w), "'"+missing+"'")
	if l.Class != ClassOverlayfs || !l.Mentions(missing) {
		t.Errorf("class %q text %q", l.Class, l.Text)
	}
}

func unknownOption(t *testing.T, w *Watch, upper, work, mnt string) {
	opt := nonce(t)
	err := unix.Mount("overlay", mnt, "overlay", 0,
		"lowerdir="+upper+",upperdir="+upper+",workdir="+work+","+opt+"=1")
	if err != unix.EINVAL {
		t.Fatalf("mount: %v, want EINVAL", err)
	}
	l := only(t, check(t, w), opt)
	t.Logf("kernel: %q", l.Text)
	if l.Class != ClassOverlayfs {
		t.Errorf("class %q, want overlayfs", l.Class)
	}
}

func TestOpenTakesCurrentTaint(t *testing.T) {
	requireKmsg(t)
	w := openWatch(t)
	now, err := readTaint()
	if err != nil {
		t.Fatal(err)
	}
	// Bits can only be added, so the baseline is within what is set now.
	if w.taint&^now != 0 {
		t.Errorf("baseline %#x has bits the kernel does not: %#x", w.taint, now)
	}
	for _, f := range check(t, w).NewTaint {
		if w.taint&(1<<f.Bit) == 0 {
			t.Errorf("reported %v but did not remember it", f)
		}
	}
}
