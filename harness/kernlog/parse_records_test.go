package kernlog

import "testing"

// TestParseRecordsFoldsASplat: records as /dev/kmsg gives them come back
// as the Lines a Watch reports: the splat folded under its header, the
// task's PID, a process's record told from the kernel's.
func TestParseRecordsFoldsASplat(t *testing.T) {
	ls := ParseRecords(
		"4,10,1000,-;------------[ cut here ]------------",
		"4,11,1001,-;WARNING: CPU: 0 PID: 4242 at fs/overlayfs/util.c:1 f+0x0/0x1",
		"4,12,1002,-;---[ end trace 0000000000000000 ]---",
		"12,13,1003,-;WARNING: CPU: 0 PID: 1 at fake.c:1",
	)
	if len(ls) != 2 || ls[0].Class != ClassWarning || !ls[0].FromKernel() || ls[1].FromKernel() {
		t.Fatalf("lines %+v", ls)
	}
	if pid, ok := ls[0].PID(); !ok || pid != 4242 {
		t.Errorf("PID %d, %v", pid, ok)
	}
}
