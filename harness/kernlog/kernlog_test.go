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

// Forging nothing: a line written to /dev/kmsg stays in the host's dmesg,
// where xfstests' dmesg check, KernelCI and every log scanner read a
// "WARNING:", "BUG:", "Oops" or "Call Trace" line as a bug of that kernel.
// So the tests of how a Watch reads warnings and splats feed it records
// through a fake reader (fakeLog, parse_test.go), formatted as /dev/kmsg
// formats them; only TestRealKmsg writes to the real log, and what it
// writes is an info-level line that says it is a test's (logLine refuses
// anything a scanner would flag). TestMain reads the log before and after
// the package's tests and fails if a scanner-shaped line carrying
// testMarker appeared.
//
// What the kernel does with a written line (devkmsg_write), observed on
// 6.18: one write(2) is one record, whatever newlines it holds (they come
// back escaped, \x0a), with the trailing newline dropped. "<4>" sets level
// 4, but facility 0 (kernel) becomes 1 (user): the record reads
// "12,seq,ts,-;text", where the kernel's own records have facility 0
// ("3,seq,ts,-;overlayfs: failed to resolve ..."). "<0>" gives 8,
// "<191>" gives 191; a line without "<N>" gets facility 1 and the default
// level. So Line.Facility (Line.FromKernel) tells a process's line from
// the kernel's.

// testMarker is in every line these tests write to the real log.
const testMarker = "layercheck-test"

func TestMain(m *testing.M) {
	var g *Guard
	if os.Geteuid() == 0 {
		g, _ = OpenGuard() // nil: no log to guard (then nothing can be written either)
	}
	code := m.Run()
	if g != nil {
		forgedLines, err := g.Forged(testMarker)
		g.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "kernlog tests: reading dmesg after the tests:", err)
		}
		for _, l := range forgedLines {
			fmt.Fprintf(os.Stderr, "FAIL: a test left a scanner-shaped line in dmesg: %q\n", l)
			code = 1
		}
	}
	os.Exit(code)
}

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

// logLine writes one record to the real kernel log: only an info-level
// line that holds testMarker and that no scanner reads as a kernel problem.
// Each write uses its own descriptor: with kernel.printk_devkmsg=ratelimit
// (the default) the kernel drops writes beyond 10 per 5 seconds on one
// open file.
func logLine(t *testing.T, s string) {
	t.Helper()
	if ScannerShaped(s) || !strings.Contains(s, testMarker) || !strings.HasPrefix(s, "<6>") {
		t.Fatalf("refusing to write %q to the host's kernel log: only <6> lines holding %q that no scanner flags", s, testMarker)
	}
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
	return fmt.Sprintf("%s_%d_%d_%s", testMarker, os.Getpid(), time.Now().UnixNano(),
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

// fakeWatch is a Watch whose log is records, as read(2) of /dev/kmsg
// returns them; its descriptor is /dev/null's, for Close.
func fakeWatch(t *testing.T, records ...string) *Watch {
	t.Helper()
	fd, err := unix.Open(os.DevNull, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	log := make(fakeLog, 0, len(records))
	for _, r := range records {
		log = append(log, r+"\n")
	}
	w := &Watch{fd: fd, read: log.read}
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

func TestWarningIsReturned(t *testing.T) {
	w := fakeWatch(t,
		"4,500,158032949,-;WARNING: CPU: 0 PID: 1 at fs/overlayfs/copy_up.c:123 ovl_copy_up_one+0x1/0x2 [overlay]",
		"12,501,158032950,-;WARNING: CPU: 0 PID: 1 at a process wrote this")
	rep := check(t, w)
	l := only(t, rep, "copy_up.c:123")
	if l.Class != ClassWarning || !l.Severe() {
		t.Errorf("class %q severe %v, want warning", l.Class, l.Severe())
	}
	if l.Priority != 4 || !l.FromKernel() {
		t.Errorf("priority %d facility %d: want 4 and 0 (kernel)", l.Priority, l.Facility)
	}
	if pid, ok := l.PID(); !ok || pid != 1 {
		t.Errorf("PID() = %d, %v, want 1", pid, ok)
	}
	if l.Seq != 500 || l.Time != 158032949*time.Microsecond {
		t.Errorf("seq %d time %v", l.Seq, l.Time)
	}
	if p := only(t, rep, "a process wrote this"); p.FromKernel() || p.Facility != 1 {
		t.Errorf("a written line (facility 1) passed for the kernel's: %+v", p)
	}
}

func TestSplatStaysTogether(t *testing.T) {
	w := fakeWatch(t,
		"4,10,1000,-;------------[ cut here ]------------",
		"4,11,1001,-;WARNING: CPU: 1 PID: 4242 at fs/overlayfs/util.c:1 ovl_x+0x1/0x2",
		"4,12,1002,-;Call Trace:",
		"4,13,1003,-; <TASK>",
		"4,14,1004,-; ovl_copy_up_flags+0xb5/0x100",
		"4,15,1005,-; </TASK>",
		"4,16,1006,-;---[ end trace 0000000000000000 ]---",
		"4,17,1007,-;overlayfs: after the splat")
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
	if a := only(t, rep, "after the splat"); a.Class != ClassOverlayfs {
		t.Errorf("the line after the splat: %+v", a)
	}
}

// TestRealKmsg is the one test that writes to the host's kernel log, to
// prove the reader against the real /dev/kmsg: seeking to its end, one
// descriptor per Watch, each Check covering what came after the previous
// one. What it writes is "overlayfs: layercheck-test ..." at KERN_INFO,
// which the classifier returns (ClassOverlayfs) and no dmesg scanner
// flags: not a WARNING, BUG, Oops or Call Trace line (logLine enforces it).
func TestRealKmsg(t *testing.T) {
	requireKmsg(t)
	n := nonce(t)
	a := openWatch(t)
	logLine(t, "<6>overlayfs: "+n+" before b (a test's line, not the kernel's)\n")
	b := openWatch(t)
	logLine(t, "<6>overlayfs: "+n+" after b (a test's line, not the kernel's)\n")
	ra, rb := check(t, a), check(t, b)
	if len(withText(ra, n)) != 2 {
		t.Errorf("watch a: %+v, want both lines", ra.Lines)
	}
	l := only(t, rb, n)
	if !strings.Contains(l.Text, "after b") {
		t.Errorf("watch b returned a line logged before it was opened: %q", l.Text)
	}
	if l.Class != ClassOverlayfs || l.Severe() || l.Priority != 6 || l.FromKernel() {
		t.Errorf("class %q severe %v priority %d facility %d", l.Class, l.Severe(), l.Priority, l.Facility)
	}
	if got := withText(check(t, a), n); len(got) != 0 {
		t.Errorf("second Check returned again: %+v", got)
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

// TestForged: the guard flags a scanner-shaped record only when it holds
// the test's marker; logLine's refusal keeps the tests from writing one.
func TestForged(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want bool
	}{
		{"12,1,1,-;WARNING: CPU: 0 PID: 1 at x.c:1 " + testMarker, true},
		{"12,1,1,-;Call Trace: " + testMarker, true},
		{"4,1,1,-;BUG: unable to handle page fault " + testMarker, true},
		{"12,1,1,-;WARNING: CPU: 0 PID: 1 at someone else's line", false},
		{"14,1,1,-;overlayfs: " + testMarker + " probe", false},
	} {
		r, ok := parseRecord([]byte(tt.raw + "\n"))
		if !ok {
			t.Fatalf("parseRecord(%q)", tt.raw)
		}
		if got := len(forged(r, []string{testMarker})) > 0; got != tt.want {
			t.Errorf("forged(%q) = %v, want %v", tt.raw, got, tt.want)
		}
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
