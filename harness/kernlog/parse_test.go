package kernlog

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests need neither root nor the kernel: they feed the parser and
// the assembler records as /dev/kmsg returns them.

func TestParseRecord(t *testing.T) {
	tests := []struct {
		in   string
		want record
	}{
		{"12,347,158032949,-;WARNING: CPU: 0 PID: 1 at x\n",
			record{facility: 1, level: 4, seq: 347, ts: 158032949 * time.Microsecond, text: "WARNING: CPU: 0 PID: 1 at x"}},
		{"3,351,158035390,-;overlayfs: failed to resolve '/nonexistent': -2\n",
			record{level: 3, seq: 351, ts: 158035390 * time.Microsecond, text: "overlayfs: failed to resolve '/nonexistent': -2"}},
		// Escapes: a backslash, a tab, a newline inside the message, UTF-8.
		{"12,348,1,-;a\\x5c b\\x09c\\x0ad \\xc3\\xa9\n",
			record{facility: 1, level: 4, seq: 348, ts: time.Microsecond, text: "a\\ b\tc\nd é"}},
		// A dictionary, and more header fields as a newer kernel may add.
		{"6,339,5140900,-,caller=T42,future=1;NET: Registered\n SUBSYSTEM=net\n DEVICE=+net:lo\n",
			record{level: 6, seq: 339, ts: 5140900 * time.Microsecond, caller: "T42", text: "NET: Registered",
				props: []string{"SUBSYSTEM=net", "DEVICE=+net:lo"}}},
		// A pr_cont fragment; a stack line, whose message starts with a space.
		{"4,7,8,c;part\n", record{level: 4, seq: 7, ts: 8 * time.Microsecond, cont: true, text: "part"}},
		{"4,9,10,-; ovl_open+0x3a/0xd0 [overlay]\n", record{level: 4, seq: 9, ts: 10 * time.Microsecond, text: " ovl_open+0x3a/0xd0 [overlay]"}},
	}
	for _, tt := range tests {
		got, ok := parseRecord([]byte(tt.in))
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseRecord(%q) = %+v, %v\nwant %+v", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "no header", "4,5;x\n", "x,1,2,-;m\n", "4,1,2,-\n"} {
		if r, ok := parseRecord([]byte(bad)); ok {
			t.Errorf("parseRecord(%q) = %+v, want refused", bad, r)
		}
	}
}

func TestUnescapeLeavesBrokenEscapes(t *testing.T) {
	for in, want := range map[string]string{`\x`: `\x`, `a\x4`: `a\x4`, `\xzz`: `\xzz`, `\x41\x42`: "AB"} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := map[string]string{
		"------------[ cut here ]------------":                                         ClassWarning,
		"WARNING: CPU: 0 PID: 1 at fs/overlayfs/copy_up.c:123 ovl_copy_up_one+0x1/0x2": ClassWarning,
		"WARNING: possible circular locking dependency detected":                       ClassLockdep,
		"WARNING: inconsistent lock state":                                             ClassLockdep,
		"WARNING: possible recursive locking detected":                                 ClassLockdep,
		"WARNING: suspicious RCU usage":                                                ClassLockdep,
		"WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected":                  ClassLockdep,
		"[ INFO: possible circular locking dependency detected ]":                      ClassLockdep,
		"INFO: trying to register non-static key.":                                     ClassLockdep,
		"DEBUG_LOCKS_WARN_ON(1)":                                                       ClassLockdep,
		"BUG: kernel NULL pointer dereference, address: 0000000000000008":              ClassBug,
		"BUG: KASAN: use-after-free in ovl_lookup+0x1/0x2":                             ClassBug,
		"BUG: sleeping function called from invalid context at fs/x.c:1":               ClassBug,
		"kernel BUG at fs/overlayfs/inode.c:100!":                                      ClassBug,
		"UBSAN: array-index-out-of-bounds in fs/overlayfs/util.c:1:2":                  ClassBug,
		"Oops: general protection fault, probably for non-canonical address 0x1":       ClassOops,
		"Oops: 0000 [#1] SMP":                                                          ClassOops,
		"general protection fault: 0000 [#1] SMP":                                      ClassOops,
		"Internal error: Oops: 96000004 [#1] SMP":                                      ClassOops,
		"INFO: task layercheck:1234 blocked for more than 120 seconds.":                ClassHung,
		"watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [layercheck:1234]":          ClassHung,
		"rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:":                        ClassHung,
		"INFO: rcu_sched self-detected stall on CPU":                                   ClassHung,
		"BUG: workqueue lockup - pool cpus=0":                                          ClassHung,
		"overlayfs: failed to resolve '/nonexistent': -2":                              ClassOverlayfs,
		"overlay: Unknown parameter 'bogus'":                                           ClassOverlayfs,
		"fuse: Unknown parameter 'x'":                                                  ClassFuse,
		// Not problems: the word elsewhere than at the start, or a splat's body.
		"Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/...":                 "",
		"PCI: Using host bridge windows from ACPI; if necessary, use \"pci=nocrs\" and report a bug": "",
		" ovl_copy_up_one+0x1/0x2 [overlay]":                                                         "",
		"---[ end trace 0000000000000000 ]---":                                                       "",
		"INFO: lockdep splat follows":                                                                "",
		"fuse_dev_do_read: something":                                                                "",
		"overlay2: not ours":                                                                         "",
	}
	for msg, want := range tests {
		if got := classify(msg); got != want {
			t.Errorf("classify(%q) = %q, want %q", msg, got, want)
		}
	}
}

// kernelSplat is a WARN as the kernel logs it, one record per line, with
// an overlayfs message of another task in the middle of it.
var kernelSplat = []string{
	"------------[ cut here ]------------",
	"WARNING: CPU: 1 PID: 4242 at fs/overlayfs/copy_up.c:123 ovl_copy_up_one+0x1/0x2 [overlay]",
	"Modules linked in: overlay",
	"CPU: 1 UID: 0 PID: 4242 Comm: layercheck Not tainted 6.18.0 #1 PREEMPT(voluntary)",
	"overlayfs: upper fs does not support tmpfile.",
	"RIP: 0010:ovl_copy_up_one+0x1/0x2 [overlay]",
	"Call Trace:",
	" <TASK>",
	" ovl_open+0x3a/0xd0 [overlay]",
	" </TASK>",
	"---[ end trace 0000000000000000 ]---",
	"EXT4-fs (vda1): re-mounted",
}

// records makes kernel records of msgs, one microsecond apart.
func records(first uint64, msgs ...string) []record {
	var rs []record
	for i, m := range msgs {
		rs = append(rs, record{level: 4, seq: first + uint64(i), ts: time.Duration(i) * time.Microsecond, text: m})
	}
	return rs
}

func assemble(rs []record) []Line {
	var a assembler
	for _, r := range rs {
		a.add(r)
	}
	return a.flush()
}

func TestAssembleWarnSplat(t *testing.T) {
	lines := assemble(records(100, kernelSplat...))
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want the splat and the overlayfs line: %+v", len(lines), lines)
	}
	w, o := lines[0], lines[1]
	if w.Seq != 100 || w.Class != ClassWarning || !w.FromKernel() {
		t.Errorf("splat: %+v", w)
	}
	want := strings.Join(slicesDelete(kernelSplat[:11], 4), "\n")
	if w.Text != want {
		t.Errorf("splat text:\n%s\nwant:\n%s", w.Text, want)
	}
	if pid, ok := w.PID(); !ok || pid != 4242 {
		t.Errorf("PID() = %d, %v", pid, ok)
	}
	if o.Seq != 104 || o.Class != ClassOverlayfs || o.Text != kernelSplat[4] {
		t.Errorf("overlayfs line: %+v", o)
	}
}

func slicesDelete(s []string, i int) []string {
	return append(append([]string(nil), s[:i]...), s[i+1:]...)
}

func TestAssembleCutHereTakesClassOfWhatFollows(t *testing.T) {
	lines := assemble(records(1, "------------[ cut here ]------------", "kernel BUG at fs/overlayfs/inode.c:100!",
		"Oops: invalid opcode: 0000 [#1] SMP", "CPU: 0 UID: 0 PID: 9 Comm: x", "---[ end trace 0 ]---",
		"Oops: general protection fault, probably for non-canonical address 0x1", "WARNING: CPU: 0 PID: 9 at a.c:1 f+0x0/0x1"))
	if len(lines) != 3 || lines[0].Class != ClassBug || lines[1].Class != ClassOops || lines[2].Class != ClassWarning {
		t.Fatalf("got %+v, want a bug (with its cut here and its Oops line), an oops, a warning", lines)
	}
	if n := strings.Count(lines[0].Text, "\n"); n != 4 {
		t.Errorf("bug took %d records after its first, want 4:\n%s", n, lines[0].Text)
	}
	// "[ cut here ]" alone, the end of the log after it, is still a warning.
	if lines := assemble(records(1, "------------[ cut here ]------------")); len(lines) != 1 || lines[0].Class != ClassWarning {
		t.Errorf("got %+v", lines)
	}
}

func TestAssembleStopsAtLimits(t *testing.T) {
	// A splat without an end marker (lockdep, hung task) takes maxFollow
	// records, then the next ones are on their own again.
	msgs := []string{"WARNING: possible recursive locking detected"}
	for i := range maxFollow + 5 {
		msgs = append(msgs, fmt.Sprintf(" frame%d+0x1/0x2", i))
	}
	lines := assemble(records(1, msgs...))
	if len(lines) != 1 || lines[0].Class != ClassLockdep {
		t.Fatalf("got %+v", lines)
	}
	if n := strings.Count(lines[0].Text, "\n"); n != maxFollow {
		t.Errorf("splat took %d records, want %d", n, maxFollow)
	}
	// A record long after the header does not belong to it.
	rs := records(1, "INFO: task x:7 blocked for more than 120 seconds.", " later")
	rs[1].ts = rs[0].ts + maxGap + time.Millisecond
	if lines := assemble(rs); len(lines) != 1 || lines[0].Text != rs[0].text {
		t.Errorf("got %+v", lines)
	}
}

func TestAssembleKeepsSourcesApart(t *testing.T) {
	// With CONFIG_PRINTK_CALLER a record of another task is not folded in.
	rs := records(1, "WARNING: CPU: 0 PID: 5 at a.c:1 f+0x1/0x2", "other task", " f+0x1/0x2", "---[ end trace 0 ]---")
	for i := range rs {
		rs[i].caller = "T5"
	}
	rs[1].caller = "T6"
	// A process writing to /dev/kmsg is not part of a kernel splat.
	user := record{facility: 1, level: 4, seq: 9, ts: 2, text: "user text"}
	rs = append(rs[:2], append([]record{user}, rs[2:]...)...)
	lines := assemble(rs)
	if len(lines) != 1 {
		t.Fatalf("got %+v", lines)
	}
	if want := "WARNING: CPU: 0 PID: 5 at a.c:1 f+0x1/0x2\n f+0x1/0x2\n---[ end trace 0 ]---"; lines[0].Text != want {
		t.Errorf("text %q, want %q", lines[0].Text, want)
	}
}

func TestLineMentions(t *testing.T) {
	l := Line{Text: "overlayfs: failed to create directory /s/1/work/work (errno: 13); mounting read-only\n" +
		"overlayfs: failed to resolve '/s/1/lower': -2\noverlayfs: option \"workdir=/s/2/w\" is useless.\n" +
		"overlayfs: refusing to follow redirect for (a/b)"}
	for path, want := range map[string]bool{
		"/s/1": true, "/s/1/": true, "/s/1/work": true, "/s/1/lower": true,
		"/s/2/w": true, "a/b": true, "b": false, "/s": true,
		"/s/10": false, "/s/1/low": false, "1/lower": false, "/": false, "": false,
	} {
		if got := l.Mentions(path); got != want {
			t.Errorf("Mentions(%q) = %v, want %v", path, got, want)
		}
	}
	end := Line{Text: "overlayfs: something about /s/3."}
	if !end.Mentions("/s/3") || end.Mentions("/s/3.bak") {
		t.Error("a full stop after a path ends it")
	}
}

func TestLinePID(t *testing.T) {
	for text, want := range map[string]int{
		"WARNING: CPU: 0 PID: 77 at a.c:1 f+0x0/0x1":                                  77,
		"BUG: unable to handle page fault\nCPU: 0 UID: 0 PID: 78 Comm: x Not tainted": 78,
		"INFO: task lay:er:79 blocked for more than 120 seconds.":                     79,
		"watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [layercheck:80]":           80,
		"overlayfs: failed to resolve '/x': -2":                                       0,
	} {
		got, ok := Line{Text: text}.PID()
		if got != want || ok != (want != 0) {
			t.Errorf("PID of %q = %d, %v, want %d", text, got, ok, want)
		}
	}
}

func TestParseTaint(t *testing.T) {
	if got := parseTaint(0); got != nil {
		t.Errorf("parseTaint(0) = %v", got)
	}
	got := parseTaint(1 | 1<<7 | 1<<9 | 1<<40)
	var letters []string
	for _, f := range got {
		letters = append(letters, fmt.Sprint(f.Bit, f.Letter))
	}
	if want := "0P 7D 9W 40?"; strings.Join(letters, " ") != want {
		t.Errorf("parseTaint = %v, want %s", letters, want)
	}
	if got[2].Meaning != "kernel issued warning" || got[3].Meaning != "unknown taint bit 40" {
		t.Errorf("meanings: %v", got)
	}
	if got[0].Severe() || !got[1].Severe() || !got[2].Severe() || got[3].Severe() {
		t.Errorf("severity: %v", got)
	}
	if s := got[2].String(); s != "W (kernel issued warning)" {
		t.Errorf("String() = %q", s)
	}
	if len(taintFlags) != 20 || taintFlags[14].letter != "L" || taintFlags[19].letter != "J" {
		t.Error("taint table out of step with tainted-kernels.rst")
	}
}

func TestTaintSinceReportsEachBitOnce(t *testing.T) {
	w := &Watch{taint: 1 << 12} // O, out-of-tree module, at Open
	steps := []struct {
		now  uint64
		want string
	}{
		{1 << 12, ""},
		{1<<12 | 1<<9, "W"},
		{1<<12 | 1<<9, ""},
		{1<<12 | 1<<9 | 1<<7 | 1<<14, "D L"},
	}
	for _, s := range steps {
		var got []string
		for _, f := range w.taintSince(s.now) {
			got = append(got, f.Letter)
		}
		if strings.Join(got, " ") != s.want {
			t.Errorf("taintSince(%#x) = %v, want %q", s.now, got, s.want)
		}
	}
}

// fakeLog answers read(2) like /dev/kmsg: one record per read, EPIPE where
// records were overwritten, EAGAIN at the end.
type fakeLog []any

func (f *fakeLog) read(b []byte) (int, error) {
	if len(*f) == 0 {
		return -1, unix.EAGAIN
	}
	next := (*f)[0]
	*f = (*f)[1:]
	if err, ok := next.(error); ok {
		return -1, err
	}
	return copy(b, next.(string)), nil
}

func TestCheckGoesOnAfterLostRecords(t *testing.T) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Dup(int(devnull.Fd()))
	devnull.Close()
	if err != nil {
		t.Fatal(err)
	}
	log := &fakeLog{
		"4,10,1,-;WARNING: CPU: 0 PID: 1 at a.c:1 f+0x0/0x1\n",
		unix.EINTR,
		unix.EPIPE,
		"3,20,5,-;overlayfs: after the gap\n",
		"garbage",
	}
	w := &Watch{fd: fd, read: log.read}
	defer w.Close()
	rep, err := w.Check()
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Lost || len(rep.Lines) != 2 || rep.Lines[1].Seq != 20 || !rep.Severe() {
		t.Errorf("report %+v", rep)
	}
	log2 := &fakeLog{unix.EIO}
	w.read = log2.read
	if _, err := w.Check(); err == nil || !strings.Contains(err.Error(), "input/output error") {
		t.Errorf("Check with a failing read: %v", err)
	}
}
