package whiteout

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// intoDeleted: a name deleted, then something renamed or linked into it,
// in the same layer, a later one, or at runtime.
func intoDeleted() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name:   "delete-then-rename-into-name-same-layer",
			Doc:    "a file deleted and another renamed to its name in one layer shows as the renamed file (its xattr too), the old name of it gone",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}, fsop.Rename{From: "usr/bin/ping", To: "etc/hostname"})},
			Labels: []string{"into-deleted", "rename", "file"},
		},
		{
			Name: "delete-then-rename-into-name-later-layer",
			Doc:  "a file deleted in layer a and another renamed to its name in layer b shows as the renamed file",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}),
				scenario.InLayer("b", fsop.Rename{From: "usr/bin/ping", To: "etc/hostname"}),
			},
			Labels: []string{"into-deleted", "rename", "file", "multi-layer"},
		},
		{
			Name:   "delete-then-link-into-name-same-layer",
			Doc:    "a file deleted and a hardlink to another file made under its name in one layer: the two names are one inode",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}, fsop.Link{Old: "usr/bin/sh", New: "etc/hostname"})},
			Labels: []string{"into-deleted", "link", "hardlink"},
		},
		{
			Name: "delete-then-link-into-name-later-layer",
			Doc:  "a file deleted in layer a and a hardlink made under its name in layer b: the two names are one inode",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}),
				scenario.InLayer("b", fsop.Link{Old: "usr/bin/sh", New: "etc/hostname"}),
			},
			Labels: []string{"into-deleted", "link", "hardlink", "multi-layer"},
		},
		{
			Name: "delete-then-rename-new-dir-into-name",
			Doc:  "a populated directory removed and a new directory renamed to its name in one layer shows only the new directory's children",
			Steps: []scenario.Step{scenario.InLayer("a", fsop.RemoveAll{Path: "etc/ssh"}, fsop.Mkdir{Path: "etc/ssh.new", Mode: 0o755},
				fsop.WriteFile{Path: "etc/ssh.new/sshd_config", Data: "new\n", Mode: 0o600}, fsop.Rename{From: "etc/ssh.new", To: "etc/ssh"})},
			Labels: []string{"into-deleted", "rename", "dir", "opaque"},
		},
		{
			Name: "rename-into-deleted-name-at-runtime",
			Doc:  "a file deleted in layer a and another renamed to its name at runtime shows as the renamed file",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}),
				scenario.Runtime(fsop.Rename{From: "etc/group", To: "etc/hostname"}),
			},
			Labels: []string{"into-deleted", "rename", "file", "runtime"},
		},
		{
			Name: "link-into-deleted-name-at-runtime",
			Doc:  "a file deleted in layer a and a hardlink made under its name at runtime: the two names are one inode",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"}),
				scenario.Runtime(fsop.Link{Old: "usr/bin/sh", New: "etc/hostname"}),
			},
			Labels: []string{"into-deleted", "link", "hardlink", "runtime"},
		},
	}
}
