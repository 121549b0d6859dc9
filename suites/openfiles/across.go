package openfiles

import (
	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Programs of the exec scenarios, written in layer a (fsop.WriteProgram).
const (
	seven  = "usr/bin/seven"  // exits 7
	waiter = "usr/bin/waiter" // waits until it is killed
)

// across: locks and mappings held across a copy-up, O_TMPFILE in a lower
// directory, programs executed while their file is open for writing, and
// writes to one name of a lower hardlink.
func across() []scenario.Scenario {
	out := []scenario.Scenario{
		{
			Name: "flock-held-across-copy-up",
			Doc:  "an exclusive flock taken through a read-only descriptor of a lower file still excludes one through a descriptor opened after the file was copied up",
			Steps: []scenario.Step{scenario.Runtime(ro(lowerFile, "r"), fsop.Flock{FD: "r", How: "ex"},
				rw(lowerFile, "w"), fsop.Flock{FD: "w", How: "ex"}, fsop.Flock{FD: "w", How: "sh"},
				fsop.Flock{FD: "r", How: "un"}, fsop.Flock{FD: "w", How: "ex"})},
			Labels: []string{"lock", "flock", "copy-up"},
		},
		{
			Name: "ofd-lock-held-across-copy-up",
			Doc:  "a read lock (F_OFD_SETLK) taken on a lower file still conflicts with a write lock through a descriptor opened after the copy-up",
			Steps: []scenario.Step{scenario.Runtime(ro(lowerFile, "r"), fsop.FcntlLock{FD: "r", Type: "read", Start: 0, Len: 4},
				fsop.Chmod{Path: lowerFile, Mode: 0o640}, rw(lowerFile, "w"),
				fsop.FcntlLock{FD: "w", Type: "write", Start: 0, Len: 1}, fsop.FcntlLock{FD: "w", Type: "write", Start: 4, Len: 4},
				fsop.FcntlLock{FD: "r", Type: "unlock", Start: 0, Len: 0}, fsop.FcntlLock{FD: "w", Type: "write", Start: 0, Len: 1})},
			Labels: []string{"lock", "fcntl", "copy-up"},
		},
		{
			Name: "tmpfile-linked-into-lower-dir",
			Doc:  "an O_TMPFILE file made in a directory of a layer and linked into it shows there with its data, mode and owner",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Mkdir{Path: "srv/app", Mode: 0o755}, fsop.WriteFile{Path: "srv/app/old", Data: "old\n", Mode: 0o644}),
				scenario.Runtime(fsop.OpenTmpfile{Dir: "srv/app", Flags: unix.O_RDWR, Mode: 0o640, FD: "t"},
					fsop.WriteFD{FD: "t", Offset: -1, Data: "anonymous\n"}, stat("t"), fsop.FchownFD{FD: "t", UID: 1000, GID: 1000},
					fsop.Linkat{FD: "t", Path: "srv/app/new"}, stat("t"), fsop.Linkat{FD: "t", Path: "etc/also-new"}),
			},
			Labels: []string{"tmpfile", "link"},
		},
		{
			Name: "tmpfile-excl-cannot-be-linked",
			Doc:  "an O_TMPFILE|O_EXCL file in a lower directory cannot be linked (ENOENT), and nothing shows",
			Steps: []scenario.Step{scenario.Runtime(fsop.OpenTmpfile{Dir: "etc", Flags: unix.O_WRONLY | unix.O_EXCL, Mode: 0o600, FD: "t"},
				fsop.WriteFD{FD: "t", Offset: -1, Data: "x"}, fsop.Linkat{FD: "t", Path: "etc/never"})},
			Labels: []string{"tmpfile"},
		},
	}
	return append(append(append(out, mappings()...), execs()...), hardlinkWrites()...)
}

// mappings: shared mappings of a file written through another descriptor,
// and read past the end of a truncated file.
func mappings() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name: "map-shared-of-lower-file",
			Doc:  "a MAP_SHARED mapping of a lower file opened read-only sees a later write through another descriptor (overlayfs.rst documents that it does not)",
			Steps: []scenario.Step{scenario.Runtime(ro(lowerFile, "r"), fsop.Mmap{FD: "r", Shared: true, Length: 4096},
				fsop.MapRead{FD: "r", Len: 64}, rw(lowerFile, "w"), fsop.WriteFD{FD: "w", Offset: 0, Data: "CHANGED"},
				fsop.MapRead{FD: "r", Len: 64}, read("r"))},
			Labels: []string{"mmap", "copy-up"},
			Expect: []string{deviation.MapSharedStale},
		},
		{
			Name: "map-shared-of-upper-file",
			Doc:  "a MAP_SHARED mapping of a file opened read-write (so copied up first) sees a later write through another descriptor",
			Steps: []scenario.Step{scenario.Runtime(rw(lowerFile, "m"), fsop.Mmap{FD: "m", Shared: true, Length: 4096},
				rw(lowerFile, "w"), fsop.WriteFD{FD: "w", Offset: 0, Data: "CHANGED"}, fsop.MapRead{FD: "m", Len: 64})},
			Labels: []string{"mmap"},
		},
		{
			Name: "map-after-truncate-sigbus",
			Doc:  "reading a mapped page past the end of a file truncated through another name gives SIGBUS, as on a plain file",
			Steps: []scenario.Step{scenario.Runtime(rw(lowerFile, "m"), fsop.Mmap{FD: "m", Shared: true, Length: 8192},
				fsop.WriteFD{FD: "m", Offset: 5000, Data: "x"}, fsop.MapRead{FD: "m", Offset: 4999, Len: 2},
				fsop.Truncate{Path: lowerFile, Size: 10}, fsop.MapRead{FD: "m", Offset: 4999, Len: 2})},
			Labels: []string{"mmap", "truncate"},
		},
	}
}

// execs: programs of a layer executed, and opened for writing while they
// run or before.
func execs() []scenario.Scenario {
	programs := scenario.InLayer("a", fsop.WriteProgram{Path: seven, Mode: 0o755, Exit: 7},
		fsop.WriteProgram{Path: waiter, Mode: 0o755, Pause: true})
	return []scenario.Scenario{
		{
			Name:   "exec-lower-program",
			Doc:    "a program of a layer runs and exits with its status, also for an unprivileged user, and not after a chmod -x",
			Steps:  []scenario.Step{programs, scenario.Runtime(fsop.Exec{Path: seven}, fsop.Exec{Path: seven, By: fsop.By{As: other}}, fsop.Chmod{Path: seven, Mode: 0o644}, fsop.Exec{Path: seven})},
			Labels: []string{"exec"},
		},
		{
			Name:   "exec-while-open-for-write",
			Doc:    "a program of a layer opened for writing (a copy-up) cannot be executed: ETXTBSY; after the close it runs",
			Steps:  []scenario.Step{programs, scenario.Runtime(open(seven, unix.O_WRONLY, "w"), fsop.Exec{Path: seven}, fsop.Close{FD: "w"}, fsop.Exec{Path: seven})},
			Labels: []string{"exec", "etxtbsy"},
		},
		{
			Name: "open-for-write-while-executed",
			// overlayfs.rst documents that it can (ExpectExecNoETXTBSY), but
			// Linux 6.18 refuses it as a plain filesystem does: the scenario
			// declares no Expect, so that it is no xpass there, and the
			// expectation still explains the deviation on a kernel that shows it.
			Doc:    "a program of a layer that is running cannot be opened for writing: ETXTBSY",
			Steps:  []scenario.Step{programs, scenario.Runtime(fsop.Exec{Path: waiter, Hold: "run"}, open(waiter, unix.O_WRONLY, "w"))},
			Labels: []string{"exec", "etxtbsy"},
		},
		{
			Name: "open-for-write-while-executed-after-copy-up",
			Doc:  "a program copied up (chmod) before it runs cannot be opened for writing while it runs: ETXTBSY",
			Steps: []scenario.Step{programs, scenario.Runtime(fsop.Chmod{Path: waiter, Mode: 0o750}, fsop.Exec{Path: waiter, Hold: "run"},
				open(waiter, unix.O_WRONLY, "w"), fsop.Close{FD: "run"}, open(waiter, unix.O_WRONLY, "w"))},
			Labels: []string{"exec", "etxtbsy", "copy-up"},
		},
	}
}

// hardlinkWrites: a write to one name of a hardlink of the base, read back
// through the descriptor and (by the snapshot, before and after the
// remount) through the other name. Without index=on a copy-up breaks the
// link, as overlayfs.rst documents.
func hardlinkWrites() []scenario.Scenario {
	const name, other = "usr/bin/python3", "usr/bin/python3.11"
	return []scenario.Scenario{
		{
			Name: "write-fd-to-lower-hardlink",
			Doc:  "data written through a descriptor to one name of a lower hardlink shows through the other name",
			Steps: []scenario.Step{scenario.Runtime(ro(other, "o"), open(name, unix.O_WRONLY|unix.O_APPEND, "w"),
				fsop.WriteFD{FD: "w", Offset: -1, Data: "appended\n"}, fsop.Close{FD: "w"}, read("o"))},
			Labels: []string{"hardlink", "copy-up"},
			Expect: []string{deviation.CopyUpSplitsLink},
		},
		{
			Name:   "append-to-lower-hardlink",
			Doc:    "data appended by name (>>) to one name of a lower hardlink shows through the other name",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Append{Path: name, Data: "appended\n"}, ro(other, "o"), read("o"))},
			Labels: []string{"hardlink", "copy-up"},
			Expect: []string{deviation.CopyUpSplitsLink},
		},
	}
}

// other is a user with no relation to the tree (the fixtures' "other").
var other = fsop.Identity{Name: "other", UID: 1002, GID: 1002}
