package whiteout

import (
	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// deletes: every type of entry deleted in every layer position, names that
// several layers below hold, and deletions in a middle layer under layers
// that touch the same directory.
func deletes() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name:   "delete-file-in-layer",
			Doc:    "a file deleted in layer a stays deleted above it and after remount",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "etc/hostname"})},
			Labels: []string{"delete", "file"},
		},
		{
			Name: "delete-file-present-in-three-layers",
			Doc:  "a file that layers 0, a and b all hold, deleted in layer c, is gone: no older copy shows through",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/hostname", Data: "from a\n", Mode: 0o644}),
				scenario.InLayer("b", fsop.Chmod{Path: "etc/hostname", Mode: 0o600}),
				scenario.InLayer("c", fsop.Remove{Path: "etc/hostname"}),
			},
			Labels: []string{"delete", "file", "multi-layer"},
		},
		{
			Name: "delete-in-middle-layer-hides-every-layer-below",
			Doc:  "a file deleted in layer b, held by layers 0 and a, stays hidden when layer c adds to the same directory",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/hostname", Data: "from a\n", Mode: 0o644}),
				scenario.InLayer("b", fsop.Remove{Path: "etc/hostname"}),
				scenario.InLayer("c", fsop.WriteFile{Path: "etc/motd", Data: "from c\n", Mode: 0o644}),
			},
			Labels: []string{"delete", "file", "multi-layer"},
		},
		{
			Name:   "delete-empty-dir-in-layer",
			Doc:    "an empty directory removed in layer a stays removed",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "var/mail"})},
			Labels: []string{"delete", "dir"},
		},
		{
			Name:   "delete-populated-dir-in-layer",
			Doc:    "a populated directory removed in layer a hides all its children, through readdir and lookup",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.RemoveAll{Path: "etc/ssh"})},
			Labels: []string{"delete", "dir"},
		},
		{
			Name: "delete-dir-populated-by-several-layers",
			Doc:  "a directory tree that layers 0, a and b filled, removed in layer c, hides the children of every layer",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "srv/deep/a/from-a", Data: "a\n", Mode: 0o644}, fsop.Mkdir{Path: "srv/deep/x", Mode: 0o755}),
				scenario.InLayer("b", fsop.WriteFile{Path: "srv/deep/a/b/from-b", Data: "b\n", Mode: 0o644}, fsop.WriteFile{Path: "srv/deep/x/y", Data: "y\n", Mode: 0o644}),
				scenario.InLayer("c", fsop.RemoveAll{Path: "srv/deep"}),
			},
			Labels: []string{"delete", "dir", "multi-layer"},
		},
		{
			Name:   "delete-symlink-in-layer",
			Doc:    "a relative and an absolute symlink deleted in layer a stay deleted",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "etc/os-release"}, fsop.Remove{Path: "etc/mtab"})},
			Labels: []string{"delete", "symlink"},
		},
		{
			Name:   "delete-fifo-in-layer",
			Doc:    "a fifo deleted in layer a stays deleted",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "run/initctl"})},
			Labels: []string{"delete", "fifo"},
		},
		{
			Name:   "delete-symlink-fifo-and-one-hardlink",
			Doc:    "deleting a symlink, a fifo and one name of a hardlink pair leaves the other name intact",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "bin"}, fsop.Remove{Path: "run/initctl"}, fsop.Remove{Path: "usr/bin/python3"})},
			Labels: []string{"delete", "symlink", "fifo", "hardlink"},
		},
		{
			Name:   "delete-one-name-of-hardlink-triple",
			Doc:    "deleting one of three names of an inode (in two directories) leaves the other two linked, with their count",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "usr/sbin/helper.old"})},
			Labels: []string{"delete", "hardlink"},
		},
		{
			Name:   "delete-both-names-of-hardlink-pair",
			Doc:    "deleting both names of a hardlink pair in one layer leaves neither",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "usr/bin/python3"}, fsop.Remove{Path: "usr/bin/python3.11"})},
			Labels: []string{"delete", "hardlink"},
		},
		{
			Name: "delete-hardlink-names-in-two-layers",
			Doc:  "the two names of a hardlink pair deleted in layers a and b: neither shows",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Remove{Path: "usr/bin/python3"}),
				scenario.InLayer("b", fsop.Remove{Path: "usr/bin/python3.11"}),
			},
			Labels: []string{"delete", "hardlink", "multi-layer"},
		},
		{
			Name:   "delete-top-level-entries",
			Doc:    "a symlink and a populated directory at the root, deleted in layer a (whiteouts in the layer's root)",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "bin"}, fsop.RemoveAll{Path: "home"})},
			Labels: []string{"delete", "symlink", "dir", "root"},
		},
		{
			Name: "delete-odd-names",
			Doc:  "names with spaces, non-ASCII characters and 255 bytes deleted in layer a stay deleted",
			Steps: []scenario.Step{scenario.InLayer("a",
				fsop.Remove{Path: "opt/My Documents/Résumé é.txt"},
				fsop.Remove{Path: "opt/" + fixtures.LongName},
				fsop.RemoveAll{Path: "opt/日本語"})},
			Labels: []string{"delete", "odd-name"},
		},
	}
}
