package permissions

import (
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// chmodScenarios: permission bits, setuid, setgid and sticky set and
// cleared on every file type, in every layer position and at runtime; a
// second chmod in a later layer; chmod then write (copy-up keeps the mode);
// chmod through a renamed or a hardlinked name. chmod 0000 is there for the
// access matrix: every identity's rights on the entry and beneath it.
//
// One scenario applies one behaviour to several file types at once (a
// finding names the path, so the type that broke is never in doubt); that
// keeps the suite a few hundred scenarios at depth 5, every one placed in
// every layer and at runtime.
func chmodScenarios() []scenario.Scenario {
	var out []scenario.Scenario
	for _, c := range []struct {
		name, doc string
		labels    []string
		ops       []fsop.Op
	}{
		{"chmod-restricts-file-dir-fifo-symlink-target", "chmod 0600/0700 of a file, a directory with children below, a fifo and a file reached through a relative symlink",
			labels("file", "dir", "fifo", "symlink"),
			ops(fsop.Chmod{Path: tFile.path, Mode: 0o600}, fsop.Chmod{Path: tDir.path, Mode: 0o700}, fsop.Chmod{Path: tFifo.path, Mode: 0o400}, fsop.Chmod{Path: tSymlink.path, Mode: 0o600})},
		{"chmod-0000-file-dir-fifo", "chmod 0000 of a file, a directory with children below and a fifo: only root keeps rights",
			labels("file", "dir", "fifo"),
			ops(fsop.Chmod{Path: tFile.path, Mode: 0}, fsop.Chmod{Path: tDir.path, Mode: 0}, fsop.Chmod{Path: tFifo.path, Mode: 0})},
		{"chmod-widens-file-dir-fifo", "chmod 0666/0777 of root's private file, directory and fifo: everyone gains exactly those rights",
			labels("file", "dir", "fifo"),
			ops(fsop.Chmod{Path: "etc/ssh/ssh_host_ed25519_key", Mode: 0o666}, fsop.Chmod{Path: "root", Mode: 0o777}, fsop.Chmod{Path: tFifo.path, Mode: 0o666})},
		{"chmod-sets-setuid-setgid-sticky", "chmod 06755 and 01644 of files, 03775 of a directory: the special bits show exactly",
			labels("setuid", "setgid", "sticky", "file", "dir"),
			ops(fsop.Chmod{Path: tFile.path, Mode: 0o6755}, fsop.Chmod{Path: "etc/passwd", Mode: 0o1644}, fsop.Chmod{Path: tDir.path, Mode: 0o3775})},
		{"chmod-clears-setuid-setgid-sticky", "chmod 0755 of a setuid and a setgid binary, 0777 of /tmp, 0775 of setgid var/log: the special bits are gone",
			labels("setuid", "setgid", "sticky", "file", "dir"),
			ops(fsop.Chmod{Path: "usr/bin/sudo", Mode: 0o755}, fsop.Chmod{Path: "usr/bin/wall", Mode: 0o755}, fsop.Chmod{Path: "tmp", Mode: 0o777}, fsop.Chmod{Path: "var/log", Mode: 0o775})},
	} {
		out = append(out, everywhere(scenario.Scenario{
			Name:   c.name,
			Doc:    c.doc + ", shown exactly with every identity's access above the place of the chmod and after remount",
			Labels: append(labels("chmod"), c.labels...),
		}, c.ops...)...)
	}
	// One name of a hardlink triple: the other names change too on a plain
	// copy; without index=on overlayfs documents that copy-up splits them.
	out = append(out, everywhere(scenario.Scenario{
		Name:   "chmod-hardlink-one-name",
		Doc:    "chmod 0700 of one name of a hardlink triple changes every name",
		Labels: labels("chmod", "hardlink"),
		Expect: []string{deviation.CopyUpSplitsLink},
	}, fsop.Chmod{Path: tHardlink.path, Mode: 0o700})...)

	// chmod again in a later layer, and at runtime over a layer's chmod.
	out = append(out, afterSetup(scenario.Scenario{
		Name:   "chmod-again-above",
		Doc:    "a file, a directory and a setuid binary chmod'ed in layer a and again above show the last mode",
		Labels: labels("chmod", "setuid", "file", "dir"),
	}, ops(fsop.Chmod{Path: tFile.path, Mode: 0o600}, fsop.Chmod{Path: tDir.path, Mode: 0o700}, fsop.Chmod{Path: "usr/bin/sudo", Mode: 0o4750}),
		fsop.Chmod{Path: tFile.path, Mode: 0o640}, fsop.Chmod{Path: tDir.path, Mode: 0o751}, fsop.Chmod{Path: "usr/bin/sudo", Mode: 0o755})...)

	// chmod then write: the copy-up made by the write keeps the mode of
	// the layer that set it, special bits included; a write by a non-root
	// owner then clears setuid and setgid as on a plain filesystem.
	out = append(out,
		setupThenRuntime(scenario.Scenario{
			Name:   "chmod-setuid-then-root-write-keeps-bits",
			Doc:    "a file made 06755 in layer a and appended to by root at runtime keeps 06755 through copy-up (root has CAP_FSETID)",
			Labels: labels("chmod", "write", "copy-up", "setuid", "file"),
		}, ops(fsop.Chmod{Path: tFile.path, Mode: 0o6755}), fsop.Append{Path: tFile.path, Data: "more\n"}),
		setupThenRuntime(scenario.Scenario{
			Name: "chmod-setuid-then-owner-write-clears-bits",
			Doc: "files of the user made 06755 and 04750 in layer a, appended to and truncated by the user at runtime, lose " +
				"setuid and setgid, as a write by an identity without CAP_FSETID does on a plain filesystem",
			Labels: labels("chmod", "write", "truncate", "copy-up", "setuid", "identity", "file"),
		}, ops(fsop.Chmod{Path: "home/user/.profile", Mode: 0o6755}, fsop.Chmod{Path: "home/user/notes.txt", Mode: 0o4750}),
			fsop.Append{Path: "home/user/.profile", Data: "more\n", By: owner},
			fsop.Truncate{Path: "home/user/notes.txt", Size: 2, By: owner}),
		setupThenRuntime(scenario.Scenario{
			Name:   "chmod-0000-then-root-write",
			Doc:    "a file made 0000 in layer a is still written by root (CAP_DAC_OVERRIDE) and keeps mode 0000 through copy-up",
			Labels: labels("chmod", "write", "copy-up", "file"),
		}, ops(fsop.Chmod{Path: tFile.path, Mode: 0}), fsop.Append{Path: tFile.path, Data: "more\n"}),
	)

	// chmod of a file reached through another name.
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "chmod-through-renamed-name",
		Doc:    "a file renamed in layer a and chmod'ed under its new name at runtime shows the mode under the new name, and the old name is gone",
		Labels: labels("chmod", "rename", "file"),
	}, ops(fsop.Rename{From: tFile.path, To: "etc/hostname.renamed"}), fsop.Chmod{Path: "etc/hostname.renamed", Mode: 0o600}))
	out = append(out, afterSetup(scenario.Scenario{
		Name:   "chmod-through-hardlinked-name",
		Doc:    "a file hardlinked in layer a and chmod'ed through the new name above changes both names",
		Labels: labels("chmod", "hardlink", "file"),
		Expect: []string{deviation.CopyUpSplitsLink},
	}, ops(fsop.Link{Old: tFile.path, New: "etc/hostname.link"}), fsop.Chmod{Path: "etc/hostname.link", Mode: 0o600})...)
	out = append(out, everywhere(scenario.Scenario{
		Name: "chmod-chown-through-names-of-a-new-hardlink",
		Doc: "lower files hardlinked through the merged view (copy-up, then the link in the upper): hostname chmod'ed " +
			"0600 through the new name, group chowned to other through the old name and chmod'ed 0640 through the " +
			"new one: both names of each show, and grant, exactly that",
		Labels: labels("chmod", "chown", "hardlink", "file"),
	}, fsop.Link{Old: tFile.path, New: "etc/hostname.link"}, fsop.Chmod{Path: "etc/hostname.link", Mode: 0o600},
		fsop.Link{Old: "etc/group", New: "etc/group.link"},
		fsop.Chown{Path: "etc/group", UID: 1002, GID: 1002}, fsop.Chmod{Path: "etc/group.link", Mode: 0o640})...)
	out = append(out, scenario.Scenario{
		Name: "chmod-through-renamed-and-hardlinked-name/runtime",
		Doc: "in the runtime upper a file renamed, then hardlinked, then chmod'ed through the link changes both names " +
			"(rename and link are made after copy-up, so nothing splits)",
		Steps: []scenario.Step{scenario.Runtime(fsop.Rename{From: tFile.path, To: "etc/hostname.renamed"},
			fsop.Link{Old: "etc/hostname.renamed", New: "etc/hostname.link"}, fsop.Chmod{Path: "etc/hostname.link", Mode: 0o600})},
		Labels: labels("chmod", "rename", "hardlink", "file", lRuntime),
	})
	return out
}
