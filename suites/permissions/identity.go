package permissions

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// identityScenarios: ops performed as a non-root identity. What it owns it
// may change, what it does not it may not, with the errno of the plain
// copy; a refused op must copy nothing up (the harness watches the upper
// around every op that fails: a failed-op-copy-up finding); the sticky
// directory rules of a 1777 directory hold in every layer arrangement.
func identityScenarios() []scenario.Scenario {
	var out []scenario.Scenario
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "owner-writes-file-chowned-to-it-in-layer",
		Doc:    "a root file chowned to the user in layer a may be written by the user at runtime, and is copied up with the user's owner; other may not",
		Labels: labels("write", "chown", "identity", "file"),
	}, ops(fsop.Chown{Path: tFile.path, UID: 1000, GID: 1000}), fsop.Append{Path: tFile.path, Data: "mine\n", By: owner},
		fsop.Append{Path: tFile.path, Data: "intrusion\n", By: other}))
	out = append(out, scenario.Scenario{
		Name:   "member-writes-group-writable-lower-file/runtime",
		Doc:    "member writes a 0660 file of group user in a setgid directory from layer 0; other may not",
		Steps:  []scenario.Step{scenario.Runtime(fsop.Append{Path: "home/shared/plan.txt", Data: "member\n", By: member}, fsop.Truncate{Path: "home/shared/plan.txt", Size: 0, By: other})},
		Labels: labels("write", "identity", "file", lRuntime),
	})
	out = append(out, everywhere(scenario.Scenario{
		Name: "owner-chmods-own-lower-file",
		Doc: "the user may chmod its own files from layer 0, setuid and setgid of its own group included (copy-up " +
			"as root keeps the user's owner and the bits), member may not",
		Labels: labels("chmod", "setuid", "setgid", "identity", "file"),
	}, fsop.Chmod{Path: "home/user/notes.txt", Mode: 0o4640, By: owner},
		fsop.Chmod{Path: "home/user/.profile", Mode: 0o2755, By: owner},
		fsop.Chmod{Path: "tmp/owned-by-user", Mode: 0o666, By: member})...)
	out = append(out, everywhere(scenario.Scenario{
		Name:   "owner-chmod-setgid-of-foreign-group-cleared",
		Doc:    "the user chmods 02640 its own file whose group (adm) it is not in: the kernel clears setgid, as on a plain filesystem",
		Labels: labels("chmod", "setgid", "identity", "file"),
	}, fsop.Chmod{Path: "var/log/app.log", Mode: 0o2640, By: owner})...)
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "owner-chmod-setgid-dir-of-foreign-group-cleared",
		Doc:    "a directory of the user given group adm in layer a and chmod'ed 02750 by the user at runtime loses setgid (the user is not in adm)",
		Labels: labels("chmod", "setgid", "identity", "dir"),
	}, ops(fsop.Chown{Path: "srv/deep/a/b", UID: 1000, GID: 4}), fsop.Chmod{Path: "srv/deep/a/b", Mode: 0o2750, By: owner}))
	out = append(out, everywhere(scenario.Scenario{
		Name:   "owner-refused-giving-away-own-file",
		Doc:    "the user may not chown its own file to other nor chgrp it to a group it is not in: EPERM, nothing copied up",
		Labels: labels("chown", "chgrp", "identity", "errno", "file"),
	}, fsop.Chown{Path: "home/user/notes.txt", UID: 1002, GID: -1, By: owner},
		fsop.Chown{Path: "home/user/notes.txt", UID: -1, GID: 1002, By: owner},
		fsop.Lchown{Path: "home/user/.profile", UID: -1, GID: 4, By: owner})...)
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "member-chgrp-own-file",
		Doc:    "a file chowned to member in layer a may be chgrp'ed by member at runtime to a group it is in, not to another",
		Labels: labels("chgrp", "identity", "file"),
	}, ops(fsop.Chown{Path: "home/shared/plan.txt", UID: 1001, GID: 1001}),
		fsop.Chown{Path: "home/shared/plan.txt", UID: -1, GID: 4, By: member},
		fsop.Chown{Path: "home/shared/plan.txt", UID: -1, GID: 1002, By: member}))
	out = append(out, everywhere(scenario.Scenario{
		Name:   "other-refused-changing-root-file",
		Doc:    "other may not chmod, chown, write, truncate, set or remove an xattr on root's file: the plain copy's errno, nothing copied up",
		Labels: labels("chmod", "chown", "write", "xattr", "identity", "errno", "file"),
	}, fsop.Chmod{Path: "etc/shadow", Mode: 0o644, By: other},
		fsop.Chown{Path: "etc/passwd", UID: 1002, GID: 1002, By: other},
		fsop.WriteFile{Path: "etc/passwd", Data: "x", Mode: 0o644, By: other},
		fsop.Truncate{Path: "etc/hostname", Size: 0, By: other},
		fsop.SetXattr{Path: "etc/hostname", Name: "user.evil", Value: "1", By: other},
		fsop.RemoveXattr{Path: "usr/bin/ping", Name: "user.layercheck.caps", By: other},
		fsop.Chmod{Path: "run/initctl", Mode: 0o666, By: other},
		fsop.Lchown{Path: "etc/localtime", UID: 1002, GID: 1002, By: other})...)
	out = append(out, everywhere(scenario.Scenario{
		Name: "other-refused-changing-root-dir",
		Doc: "other may not create, remove, rename or link in root's etc, nor chmod it, nor create in the user's home; " +
			"member may not hardlink root's 0640 shadow where it may write (protected_hardlinks): the plain copy's errno, nothing copied up",
		Labels: labels("create", "remove", "rename", "link", "chmod", "identity", "errno", "dir", "hardlink"),
	}, fsop.WriteFile{Path: "etc/evil.conf", Data: "x", Mode: 0o644, By: other},
		fsop.Mkdir{Path: "etc/evil.d", Mode: 0o755, By: other},
		fsop.Symlink{Target: "/", Path: "etc/evil.lnk", By: other},
		fsop.Link{Old: "tmp/owned-by-other", New: "etc/evil.hard", By: other},
		fsop.Remove{Path: "etc/hostname", By: other},
		fsop.Rename{From: "etc/hostname", To: "etc/hostname.evil", By: other},
		fsop.Remove{Path: "etc/ssh", By: other},
		fsop.Chmod{Path: "etc", Mode: 0o777, By: other},
		fsop.Mkdir{Path: "home/user/evil.d", Mode: 0o755, By: other},
		fsop.Link{Old: "etc/shadow", New: "home/shared/shadow", By: member})...)

	// Sticky directories.
	out = append(out, everywhere(scenario.Scenario{
		Name: "sticky-dir-deletion-rules",
		Doc: "in /tmp (1777) the user may delete and rename its own file, not other's; member may delete neither; " +
			"root may delete anything",
		Labels: labels("remove", "rename", "sticky", "identity", "dir"),
	}, fsop.Remove{Path: "tmp/owned-by-other", By: owner},
		fsop.Rename{From: "tmp/owned-by-other", To: "tmp/stolen", By: owner},
		fsop.Rename{From: "tmp/owned-by-user", To: "tmp/owned-by-other", By: owner},
		fsop.Remove{Path: "tmp/owned-by-user", By: member},
		fsop.Rename{From: "tmp/owned-by-user", To: "tmp/renamed-by-user", By: owner},
		fsop.Remove{Path: "tmp/renamed-by-user", By: owner},
		fsop.Remove{Path: "tmp/owned-by-other"})...)
	out = append(out, scenario.Scenario{
		Name: "sticky-bit-set-in-later-layer",
		Doc: "a world-writable directory with files of user and other made in layer a and made sticky in layer b: " +
			"at runtime the user may delete its own file, not other's",
		Steps: []scenario.Step{
			scenario.InLayer("a", fsop.Mkdir{Path: "srv/drop", Mode: 0o777}, fsop.Chmod{Path: "srv/drop", Mode: 0o777},
				fsop.WriteFile{Path: "srv/drop/u", Data: "u\n", Mode: 0o644, By: owner},
				fsop.WriteFile{Path: "srv/drop/o", Data: "o\n", Mode: 0o644, By: other}),
			scenario.InLayer("b", fsop.Chmod{Path: "srv/drop", Mode: 0o1777}),
			scenario.Runtime(fsop.Remove{Path: "srv/drop/o", By: owner}, fsop.Remove{Path: "srv/drop/u", By: owner}),
		},
		Labels: labels("remove", "sticky", "identity", "dir", "file"),
	})
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "sticky-bit-cleared-in-layer",
		Doc:    "/tmp made 0777 in layer a: the user may delete other's file at runtime, as on a plain copy",
		Labels: labels("remove", "sticky", "identity", "dir", "file"),
	}, ops(fsop.Chmod{Path: "tmp", Mode: 0o777}), fsop.Remove{Path: "tmp/owned-by-other", By: owner}))
	return out
}
