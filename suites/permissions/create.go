package permissions

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// createScenarios: the owner, group and mode of entries created through
// the merged view by a non-root identity: in a directory from a lower
// layer, in a setgid directory (group and setgid inherited by new
// subdirectories, setgid stripped from a file its creator's groups do not
// allow), over a whiteout, and under a umask.
func createScenarios() []scenario.Scenario {
	var out []scenario.Scenario
	out = append(out, everywhere(scenario.Scenario{
		Name: "owner-creates-every-type-in-lower-dir",
		Doc: "a file, a directory, a symlink, a hardlink and a fifo the user creates in its home directory from layer 0 " +
			"are owned by user:user with the mode asked for",
		Labels: labels("create", "identity", "file", "dir", "symlink", "hardlink", "fifo"),
	}, fsop.WriteFile{Path: "home/user/new.txt", Data: "new\n", Mode: 0o640, By: owner},
		fsop.Mkdir{Path: "home/user/new.d", Mode: 0o750, By: owner},
		fsop.Symlink{Target: "notes.txt", Path: "home/user/notes.lnk", By: owner},
		fsop.Link{Old: "home/user/notes.txt", New: "home/user/notes.hard", By: owner},
		fsop.Mkfifo{Path: "home/user/pipe", Mode: 0o600, By: owner})...)
	// Setgid directories from layer 0: home/shared (02770 root:user) and
	// var/log (02775 root:adm), member in both groups.
	out = append(out, everywhere(scenario.Scenario{
		Name: "member-creates-in-setgid-dirs",
		Doc: "a file, a subdirectory and a subdirectory of it made by member in a setgid directory get its group, the " +
			"subdirectories setgid; a 02750 file member makes in setgid var/log keeps setgid (member is in adm)",
		Labels: labels("create", "setgid", "identity", "file", "dir"),
	}, fsop.WriteFile{Path: "home/shared/m.txt", Data: "m\n", Mode: 0o660, By: member},
		fsop.Mkdir{Path: "home/shared/m.d", Mode: 0o770, By: member},
		fsop.Mkdir{Path: "home/shared/m.d/inner", Mode: 0o700, By: member},
		fsop.WriteFile{Path: "var/log/member.log", Data: "m\n", Mode: 0o2750, By: member})...)
	// A setgid directory whose group the creator is not in: a file asked
	// for with setgid must come out without it (the kernel strips it; a
	// filesystem that creates with the mounter's credentials may not).
	out = append(out, afterSetup(scenario.Scenario{
		Name: "non-member-setgid-file-in-setgid-dir-stripped",
		Doc: "in a directory made 03777 root:root in layer a, other creates a 02755 file (setgid must be stripped: other " +
			"is not in group root), a fifo and a directory (setgid inherited), all with group root",
		Labels: labels("create", "setgid", "identity", "file", "dir", "fifo"),
	}, ops(fsop.Chmod{Path: "var/tmp", Mode: 0o3777}),
		fsop.WriteFile{Path: "var/tmp/o.bin", Data: "#!ELF\n", Mode: 0o2755, By: other},
		fsop.Mkfifo{Path: "var/tmp/o.pipe", Mode: 0o2666, By: other},
		fsop.Mkdir{Path: "var/tmp/o.d", Mode: 0o755, By: other})...)

	// Over a whiteout: the new entry is only itself, no mode, owner or
	// xattr of the deleted one.
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name: "owner-recreates-over-whiteouts",
		Doc: "a file with an xattr, a directory with a child and other's file in /tmp, removed in layer a and made again " +
			"by the user at runtime, are only the new ones: the user's, with the new mode, no xattr, no child",
		Labels: labels("create", "whiteout", "identity", "sticky", "file", "dir"),
	}, ops(fsop.Remove{Path: "home/user/notes.txt"}, fsop.RemoveAll{Path: "srv/deep/a/b/c/d/e/f/g/h"}, fsop.Remove{Path: "tmp/owned-by-other"}),
		fsop.WriteFile{Path: "home/user/notes.txt", Data: "again\n", Mode: 0o644, By: owner},
		fsop.Mkdir{Path: "srv/deep/a/b/c/d/e/f/g/h", Mode: 0o700, By: owner},
		fsop.WriteFile{Path: "tmp/owned-by-other", Data: "mine now\n", Mode: 0o600, By: owner}))
	out = append(out, scenario.Scenario{
		Name:   "owner-recreates-over-runtime-whiteout/runtime",
		Doc:    "the user removes its own file with an xattr at runtime and makes it again: the new file has no xattr",
		Steps:  []scenario.Step{scenario.Runtime(fsop.Remove{Path: "home/user/notes.txt", By: owner}, fsop.WriteFile{Path: "home/user/notes.txt", Data: "again\n", Mode: 0o600, By: owner})},
		Labels: labels("create", "whiteout", "identity", "file", lRuntime),
	})

	// Under a umask.
	out = append(out, everywhere(scenario.Scenario{
		Name: "new-entries-follow-umask",
		Doc: "the user under umask 077 (file asked 0666, directory 0777: 0600, 0700), root under umask 027 (file, " +
			"directory, fifo: 0640, 0750, 0640), member under umask 0 in a setgid directory (02777, 0666)",
		Labels: labels("create", "umask", "identity", "setgid", "file", "dir", "fifo"),
	}, fsop.WriteFile{Path: "home/user/u.txt", Data: "u\n", Mode: 0o666, By: umask(owner, 0o077)},
		fsop.Mkdir{Path: "home/user/u.d", Mode: 0o777, By: umask(owner, 0o077)},
		fsop.WriteFile{Path: "etc/u.conf", Data: "u\n", Mode: 0o666, By: umask(fsop.By{}, 0o027)},
		fsop.Mkdir{Path: "etc/u.d", Mode: 0o777, By: umask(fsop.By{}, 0o027)},
		fsop.Mkfifo{Path: "run/u.pipe", Mode: 0o666, By: umask(fsop.By{}, 0o027)},
		fsop.Mkdir{Path: "home/shared/open.d", Mode: 0o777, By: umask(member, 0)},
		fsop.WriteFile{Path: "home/shared/open.d/f", Data: "f\n", Mode: 0o666, By: umask(member, 0)})...)
	return out
}
