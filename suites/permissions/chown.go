package permissions

import (
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

const deepLeaf = "srv/deep/a/b/c/d/e/f/g/h/leaf.txt" // eight 0750 user:user parents

// chownScenarios: chown and chgrp to other ids and back, on every file type
// (lchown for a symlink itself); the bits a plain filesystem clears on
// chown (setuid, setgid of an executable) cleared, and a directory's kept;
// a directory whose children live in layers below and above; a deep path
// whose parents are copied up one by one, each keeping its mode and owner.
func chownScenarios() []scenario.Scenario {
	var out []scenario.Scenario
	out = append(out, everywhere(scenario.Scenario{
		Name:   "chown-file-dir-fifo-symlink-target",
		Doc:    "chown to other of a file, a directory with children below, a fifo and a file reached through a relative symlink shows exactly",
		Labels: labels("chown", "file", "dir", "fifo", "symlink"),
	}, fsop.Chown{Path: tFile.path, UID: 1002, GID: 1002}, fsop.Chown{Path: tDir.path, UID: 1002, GID: 1002},
		fsop.Chown{Path: tFifo.path, UID: 1000, GID: 4}, fsop.Chown{Path: tSymlink.path, UID: 1002, GID: 1002})...)
	out = append(out, everywhere(scenario.Scenario{
		Name:   "chgrp-file-dir",
		Doc:    "chgrp of a file to user and of a directory to adm keeps the owner and shows the group, with the group's access",
		Labels: labels("chgrp", "file", "dir"),
	}, fsop.Chown{Path: "etc/shadow", UID: -1, GID: 1000}, fsop.Chown{Path: "etc/sudoers.d", UID: -1, GID: 4})...)
	out = append(out, everywhere(scenario.Scenario{
		Name:   "lchown-symlink-itself",
		Doc:    "chown -h of an absolute symlink changes the link's own owner, not its target's",
		Labels: labels("lchown", "symlink"),
	}, fsop.Lchown{Path: tAbsLink.path, UID: 1000, GID: 1000})...)
	out = append(out, everywhere(scenario.Scenario{
		Name:   "chown-hardlink-one-name",
		Doc:    "chown of one name of a hardlink triple changes every name",
		Labels: labels("chown", "hardlink"),
		Expect: []string{deviation.CopyUpSplitsLink},
	}, fsop.Chown{Path: tHardlink.path, UID: 1000, GID: -1})...)
	out = append(out, afterSetup(scenario.Scenario{
		Name:   "chown-and-back",
		Doc:    "a file and a directory chowned to other in layer a and back to root above show root's ownership again",
		Labels: labels("chown", "file", "dir"),
	}, ops(fsop.Chown{Path: tFile.path, UID: 1002, GID: 1002}, fsop.Chown{Path: tDir.path, UID: 1000, GID: 1000}),
		fsop.Chown{Path: tFile.path, UID: 0, GID: 0}, fsop.Chown{Path: tDir.path, UID: 0, GID: 0})...)

	// The bits chown clears, and those it keeps.
	out = append(out, scenario.Scenario{
		Name:   "chown-clears-setuid/runtime",
		Doc:    "chown of a setuid binary at runtime clears setuid as on a plain filesystem",
		Steps:  []scenario.Step{scenario.Runtime(fsop.Chown{Path: "usr/bin/sudo", UID: 1000, GID: 1000})},
		Labels: labels("chown", "setuid", "file", lRuntime),
	})
	out = append(out, everywhere(scenario.Scenario{
		Name: "chown-clears-exec-setuid-setgid-keeps-dir-setgid",
		Doc: "chown of a setuid binary to the owner it already has and chgrp of a setgid group-executable binary clear " +
			"their bits; chown of a setgid directory keeps its setgid, as on a plain filesystem",
		Labels: labels("chown", "chgrp", "setuid", "setgid", "file", "dir"),
	}, fsop.Chown{Path: "usr/bin/passwd", UID: 0, GID: 0}, fsop.Chown{Path: "usr/bin/wall", UID: -1, GID: 0},
		fsop.Chown{Path: "var/log", UID: 1000, GID: 1000})...)
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "chown-clears-setuid-set-in-layer",
		Doc:    "a file made 06755 in layer a and chowned at runtime loses setuid and setgid",
		Labels: labels("chown", "setuid", "setgid", "file"),
	}, ops(fsop.Chmod{Path: tFile.path, Mode: 0o6755}), fsop.Chown{Path: tFile.path, UID: 1000, GID: 1000}))

	// A directory and its children in other layers.
	out = append(out, scenario.Scenario{
		Name:   "chown-dir-with-children-from-below/runtime",
		Doc:    "a chown of a directory at runtime, whose children stay in layer 0, shows with all children",
		Steps:  []scenario.Step{scenario.Runtime(fsop.Chown{Path: "etc/app", UID: 1002, GID: 1002})},
		Labels: labels("chown", "dir", lRuntime),
	})
	out = append(out, scenario.Scenario{
		Name:   "chown-dir-children-above",
		Doc:    "a directory chowned in layer a keeps its owner while layer b adds a child and a runtime write adds another",
		Steps:  []scenario.Step{scenario.InLayer("a", fsop.Chown{Path: "etc/app", UID: 1002, GID: 1002}), scenario.InLayer("b", fsop.WriteFile{Path: "etc/app/b.conf", Data: "b\n", Mode: 0o640}), scenario.Runtime(fsop.WriteFile{Path: "etc/app/conf.d/rt.conf", Data: "rt\n", Mode: 0o600})},
		Labels: labels("chown", "dir"),
	})
	out = append(out, scenario.Scenario{
		Name:   "chown-dir-between-children",
		Doc:    "a directory that gets a child in layer a, a chown in layer b and a child at runtime shows b's owner with all three generations of children",
		Steps:  []scenario.Step{scenario.InLayer("a", fsop.WriteFile{Path: "etc/app/a.conf", Data: "a\n", Mode: 0o640}), scenario.InLayer("b", fsop.Chown{Path: "etc/app", UID: 1000, GID: 4}), scenario.Runtime(fsop.Mkdir{Path: "etc/app/rt.d", Mode: 0o750})},
		Labels: labels("chown", "dir"),
	})

	// A deep path: each parent is copied up by the op on the leaf and must
	// keep its own mode and owner.
	out = append(out, everywhere(scenario.Scenario{
		Name:   "chown-deep-leaf-copies-up-parents",
		Doc:    "a chown of a leaf eight 0750 user-owned directories deep copies up every parent with its mode, owner and xattrs",
		Labels: labels("chown", "deep", "file", "dir"),
	}, fsop.Chown{Path: deepLeaf, UID: 1002, GID: 1002})...)
	out = append(out, scenario.Scenario{
		Name:   "owner-writes-deep-leaf/runtime",
		Doc:    "the owner appending to its leaf eight directories deep copies up every parent with its mode and owner",
		Steps:  []scenario.Step{scenario.Runtime(fsop.Append{Path: deepLeaf, Data: "more\n", By: owner})},
		Labels: labels("write", "deep", "identity", "file", "dir", lRuntime),
	})
	out = append(out, scenario.Scenario{
		Name: "deep-parents-changed-in-two-layers",
		Doc: "parents of a deep leaf chmod'ed in layer a and chowned in layer b are copied up by a runtime write " +
			"with the mode and owner each layer gave them",
		Steps: []scenario.Step{
			scenario.InLayer("a", fsop.Chmod{Path: "srv/deep/a/b", Mode: 0o700}, fsop.Chmod{Path: "srv/deep/a/b/c/d/e/f", Mode: 0o2770}),
			scenario.InLayer("b", fsop.Chown{Path: "srv/deep/a/b/c/d", UID: 1000, GID: 4}),
			scenario.Runtime(fsop.Append{Path: deepLeaf, Data: "more\n"}),
		},
		Labels: labels("chmod", "chown", "deep", "dir"),
	})
	return out
}
