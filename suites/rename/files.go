package rename

import (
	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// files: renames of non-directories (regular files, symlinks, a fifo, names
// of hardlinks) within a directory, across directories and across layers,
// over other files and over themselves. Content, mode with setuid and
// setgid, owner, xattrs and symlink targets must follow the name; the
// other names of a hardlink keep the plain copy's grouping and count.
func files() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name:   "rename-file-within-dir",
			Doc:    "a lower file renamed at runtime shows under its new name only",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Rename{From: "etc/hostname", To: "etc/hostname.bak"})},
			Labels: []string{"rename", "file"},
		},
		{
			Name:   "rename-file-into-dir-of-other-layer",
			Doc:    "a file of layer 0 moved into a directory created in layer a",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Mkdir{Path: "srv/new", Mode: 0o755}), scenario.Runtime(fsop.Rename{From: "etc/passwd", To: "srv/new/passwd"})},
			Labels: []string{"rename", "file", "cross-layer"},
		},
		{
			Name:   "rename-over-file-of-other-layer",
			Doc:    "a file renamed over a file that layer a created replaces it",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.WriteFile{Path: "etc/motd", Data: "hello\n", Mode: 0o644}), scenario.Runtime(fsop.Rename{From: "etc/hostname", To: "etc/motd"})},
			Labels: []string{"rename", "file", "replace"},
		},
		{
			Name:   "rename-one-name-of-hardlink",
			Doc:    "renaming one name of a hardlink pair keeps the pair linked (copy-up splits it without index=on, as documented)",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Rename{From: "usr/bin/python3", To: "usr/bin/py"})},
			Labels: []string{"rename", "hardlink"},
			Expect: []string{deviation.CopyUpSplitsLink},
		},
		{
			Name:   "rename-file-across-dirs",
			Doc:    "a lower file moved into another lower directory at runtime, content and metadata intact",
			Steps:  steps(scenario.Runtime(mv("etc/hostname", "srv/hostname"), mv("etc/shadow", "root/shadow"))),
			Labels: []string{"rename", "file"},
		},
		{
			Name:   "rename-file-in-layer",
			Doc:    "a file of layer 0 renamed while building layer a: every layer above and the runtime view show the new name only",
			Steps:  steps(scenario.InLayer("a", mv("etc/hostname", "etc/hostname.old"), mv("etc/passwd", "usr/lib/passwd"))),
			Labels: []string{"rename", "file", "cross-layer"},
		},
		{
			Name:   "rename-file-across-layers",
			Doc:    "a file of layer 0 moved, in layer b, into a directory that layer a created",
			Steps:  steps(scenario.InLayer("a", mkdir("srv/new")), scenario.InLayer("b", mv("etc/passwd", "srv/new/passwd"))),
			Labels: []string{"rename", "file", "cross-layer"},
		},
		{
			Name:   "rename-file-of-upper-layer-into-lower-dir",
			Doc:    "a file created in layer 1 moved at runtime into a directory of layer 0",
			Steps:  steps(scenario.AtLayer(1, write("srv/made-in-a", "a\n")), scenario.Runtime(mv("srv/made-in-a", "etc/ssh/made-in-a"))),
			Labels: []string{"rename", "file", "cross-layer"},
		},
		{
			Name: "rename-file-changed-in-middle-layers",
			Doc:  "a file whose mode and owner changed in layer 1 and data in layer 2 keeps both after a runtime rename",
			Steps: steps(
				scenario.AtLayer(1, fsop.Chown{Path: "etc/hostname", UID: 1000, GID: 1000}, fsop.Chmod{Path: "etc/hostname", Mode: 0o640}),
				scenario.AtLayer(2, fsop.Append{Path: "etc/hostname", Data: "more\n"}),
				scenario.Runtime(mv("etc/hostname", "home/shared/hostname"))),
			Labels: []string{"rename", "file", "metadata", "cross-layer"},
		},
		{
			Name:   "rename-file-over-itself",
			Doc:    "rename(2) of a lower file onto its own name succeeds and changes nothing",
			Steps:  steps(scenario.Runtime(mv("etc/hostname", "etc/hostname"), mv("usr/bin/sudo", "usr/bin/sudo"))),
			Labels: []string{"rename", "file", "self"},
		},
		{
			Name:   "rename-file-over-itself-in-layer",
			Doc:    "rename(2) of a file onto its own name while building layer 1 changes nothing in any layer",
			Steps:  steps(scenario.AtLayer(1, mv("etc/passwd", "etc/passwd"))),
			Labels: []string{"rename", "file", "self"},
		},
		{
			Name:   "rename-hardlink-over-its-other-name",
			Doc:    "rename(2) of one name of a hardlink over the other name does nothing, as POSIX says for two links to one file: both names stay",
			Steps:  steps(scenario.Runtime(mv("usr/bin/python3", "usr/bin/python3.11"))),
			Labels: []string{"rename", "hardlink", "self"},
		},
		{
			Name:   "rename-symlinks",
			Doc:    "a relative and an absolute symlink renamed at runtime keep their targets and are not followed",
			Steps:  steps(scenario.Runtime(mv("etc/os-release", "usr/os-release"), mv("etc/localtime", "etc/localtime.old"))),
			Labels: []string{"rename", "symlink"},
		},
		{
			Name:   "rename-symlink-to-dir",
			Doc:    "renaming a symlink to a directory moves the link, never the directory it points to",
			Steps:  steps(scenario.Runtime(mv("bin", "bin.old"), mv("sbin", "usr/sbin-link"))),
			Labels: []string{"rename", "symlink"},
		},
		{
			Name:   "rename-symlink-in-layer",
			Doc:    "a symlink of layer 0 renamed in layer 1 keeps its target in every view above",
			Steps:  steps(scenario.AtLayer(1, mv("etc/mtab", "etc/mtab.old"), mv("lib", "usr/lib-link"))),
			Labels: []string{"rename", "symlink", "cross-layer"},
		},
		{
			Name:   "rename-name-of-hardlink-triple-across-dirs",
			Doc:    "one name of a three-name hardlink moved to another directory: the group and its count follow the plain copy (or the documented copy-up split)",
			Steps:  steps(scenario.Runtime(mv("usr/sbin/helper.old", "tmp/helper.old"))),
			Labels: []string{"rename", "hardlink"},
			Expect: []string{deviation.CopyUpSplitsLink},
		},
		{
			Name:   "rename-name-of-hardlink-in-layer",
			Doc:    "one name of a hardlink pair renamed while building layer a: the names above follow the plain copy (or the documented copy-up split)",
			Steps:  steps(scenario.InLayer("a", mv("usr/bin/python3", "usr/bin/py3"))),
			Labels: []string{"rename", "hardlink", "cross-layer"},
			Expect: []string{deviation.CopyUpSplitsLink},
		},
		{
			Name:   "rename-hardlink-made-in-layer",
			Doc:    "a hardlink made in layer 1, one name renamed at runtime: both names show one file with the plain copy's count",
			Steps:  steps(scenario.AtLayer(1, fsop.Link{Old: "etc/hostname", New: "etc/hostname.hl"}), scenario.Runtime(mv("etc/hostname.hl", "srv/hostname.hl"))),
			Labels: []string{"rename", "hardlink", "cross-layer"},
		},
		{
			Name: "rename-setuid-setgid-and-xattr-files",
			Doc:  "setuid, setgid and user.* xattrs travel with a renamed lower file",
			Steps: steps(scenario.Runtime(mv("usr/bin/sudo", "usr/sbin/sudo"), mv("usr/bin/wall", "usr/sbin/wall"),
				mv("usr/bin/ping", "usr/sbin/ping"))),
			Labels: []string{"rename", "file", "metadata", "setuid", "xattr"},
		},
		{
			Name:   "rename-setuid-and-xattr-files-in-layer",
			Doc:    "setuid and user.* xattrs travel with a file renamed while building layer 1",
			Steps:  steps(scenario.AtLayer(1, mv("usr/bin/passwd", "usr/sbin/passwd"), mv("usr/bin/ping", "usr/bin/ping.old"))),
			Labels: []string{"rename", "file", "metadata", "setuid", "xattr", "cross-layer"},
		},
		{
			Name:   "rename-fifo-in-layer",
			Doc:    "a fifo of layer 0 renamed in layer 1 stays a fifo with its mode",
			Steps:  steps(scenario.AtLayer(1, mv("run/initctl", "run/initctl.old"))),
			Labels: []string{"rename", "fifo"},
		},
		{
			Name:   "rename-private-file-to-shared-dir",
			Doc:    "a user's private file with a user.* xattr moved to a setgid shared directory keeps owner, mode and xattr",
			Steps:  steps(scenario.Runtime(mv("home/user/notes.txt", "home/shared/notes.txt"))),
			Labels: []string{"rename", "file", "metadata", "xattr"},
		},
		{
			Name: "rename-odd-names",
			Doc:  "non-ASCII names, names with spaces and a 255-byte name rename like any other",
			Steps: steps(scenario.Runtime(mv("opt/日本語/ファイル", "opt/My Documents/ファイル"),
				mv("opt/"+fixtures.LongName, "opt/日本語/"+fixtures.LongName),
				mv("opt/.wh.not-a-whiteout", "opt/.wh.still-not-a-whiteout"))),
			Labels: []string{"rename", "file", "odd-name"},
		},
		{
			Name: "rename-file-write-and-back",
			Doc:  "a lower file renamed, appended to and renamed back shows the new data under the old name only",
			Steps: steps(scenario.Runtime(mv("etc/hostname", "tmp/hostname"), fsop.Append{Path: "tmp/hostname", Data: "x\n"},
				mv("tmp/hostname", "etc/hostname"))),
			Labels: []string{"rename", "file"},
		},
		{
			Name:   "rename-file-and-back-across-layers",
			Doc:    "a file moved away in layer 1 and back in layer 2 shows once, under its old name, with its data",
			Steps:  steps(scenario.AtLayer(1, mv("etc/hostname", "srv/hostname")), scenario.AtLayer(2, mv("srv/hostname", "etc/hostname"))),
			Labels: []string{"rename", "file", "cross-layer"},
		},
		{
			Name:   "rename-file-as-owner",
			Doc:    "the owner of a private directory renames a lower file in it (copy-up as a non-root user)",
			Steps:  steps(scenario.Runtime(mvAs(fixtures.Owner, "home/user/.profile", "home/user/.profile.bak"))),
			Labels: []string{"rename", "file", "identity"},
		},
	}
}
