// Package rename holds the scenarios that pin down renames across layers:
// renamed things keep their children, metadata and links, and every rename
// gives the plain copy's result or the documented one.
package rename

import (
	"golang.org/x/sys/unix"

	h "github.com/layercheck/layercheck/harness"
)

// Scenarios returns the suite's scenarios, unexpanded.
func Scenarios() []h.Scenario {
	s := []h.Scenario{
		{
			Name:   "rename-file-within-dir",
			Doc:    "a lower file renamed at runtime shows under its new name only",
			Steps:  []h.Step{h.Runtime(h.Rename{From: "etc/hostname", To: "etc/hostname.bak"})},
			Labels: []string{"rename", "file"},
		},
		{
			Name:   "rename-file-into-dir-of-other-layer",
			Doc:    "a file of layer 0 moved into a directory created in layer a",
			Steps:  []h.Step{h.InLayer("a", h.Mkdir{Path: "srv/new", Mode: 0o755}), h.Runtime(h.Rename{From: "etc/passwd", To: "srv/new/passwd"})},
			Labels: []string{"rename", "file", "cross-layer"},
		},
		{
			Name:   "rename-lower-dir",
			Doc:    "a directory from a lower layer renamed at runtime keeps all children (or gives the documented EXDEV)",
			Steps:  []h.Step{h.Runtime(h.Rename{From: "etc/ssh", To: "etc/ssh.old"})},
			Labels: []string{"rename", "dir", "redirect"},
			Expect: []string{h.ExpectRenameDirEXDEV},
		},
		{
			Name: "rename-merged-dir-in-layer",
			Doc:  "a directory merged from layers 0 and a, renamed in layer b, keeps the children of both",
			Steps: []h.Step{h.InLayer("a", h.WriteFile{Path: "etc/app/conf.d/20-extra.conf", Data: "x\n", Mode: 0o640}),
				h.InLayer("b", h.Rename{From: "etc/app", To: "etc/app2"})},
			Labels: []string{"rename", "dir", "merged", "redirect"},
			Expect: []string{h.ExpectRenameDirEXDEV},
		},
		{
			Name:   "rename-one-name-of-hardlink",
			Doc:    "renaming one name of a hardlink pair keeps the pair linked",
			Steps:  []h.Step{h.Runtime(h.Rename{From: "usr/bin/python3", To: "usr/bin/py"})},
			Labels: []string{"rename", "hardlink"},
		},
		{
			Name:   "rename-over-file-of-other-layer",
			Doc:    "a file renamed over a file that layer a created replaces it",
			Steps:  []h.Step{h.InLayer("a", h.WriteFile{Path: "etc/motd", Data: "hello\n", Mode: 0o644}), h.Runtime(h.Rename{From: "etc/hostname", To: "etc/motd"})},
			Labels: []string{"rename", "file", "replace"},
		},
		{
			Name:   "rename-noreplace-onto-existing",
			Doc:    "RENAME_NOREPLACE onto an existing lower file fails with EEXIST and changes nothing",
			Steps:  []h.Step{h.Runtime(h.Rename{From: "etc/hostname", To: "etc/passwd", Flags: unix.RENAME_NOREPLACE})},
			Labels: []string{"rename", "renameat2", "errno"},
		},
		{
			Name:   "rename-dir-into-own-subtree",
			Doc:    "renaming a directory into its own subtree fails with EINVAL, as on a plain filesystem",
			Steps:  []h.Step{h.Runtime(h.Rename{From: "srv/deep", To: "srv/deep/a/inside"})},
			Labels: []string{"rename", "dir", "errno"},
		},
		{
			Name:   "rename-exchange-two-lower-files",
			Doc:    "RENAME_EXCHANGE swaps two files from different layers",
			Steps:  []h.Step{h.InLayer("a", h.WriteFile{Path: "etc/motd", Data: "hello\n", Mode: 0o600}), h.Runtime(h.Rename{From: "etc/hostname", To: "etc/motd", Flags: unix.RENAME_EXCHANGE})},
			Labels: []string{"rename", "renameat2", "exchange"},
		},
	}
	for i := range s {
		s[i].Suite = "rename"
	}
	return s
}
