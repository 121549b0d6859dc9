// Package whiteout holds the scenarios that pin down deletion: a deleted
// entry stays deleted in every layer above, a recreated one shows exactly
// its new self, and no whiteout or marker is ever seen.
package whiteout

import (
	h "github.com/layercheck/layercheck/harness"
)

// Scenarios returns the suite's scenarios, unexpanded.
func Scenarios() []h.Scenario {
	s := []h.Scenario{
		{
			Name:   "delete-file-in-layer",
			Doc:    "a file deleted in layer a stays deleted above it and after remount",
			Steps:  []h.Step{h.InLayer("a", h.Remove{Path: "etc/hostname"})},
			Labels: []string{"delete", "file"},
		},
		{
			Name:   "delete-populated-dir-in-layer",
			Doc:    "a populated directory removed in layer a hides all its children, through readdir and lookup",
			Steps:  []h.Step{h.InLayer("a", h.RemoveAll{Path: "etc/ssh"})},
			Labels: []string{"delete", "dir"},
		},
		{
			Name:   "rm-rf-then-mkdir-same-layer",
			Doc:    "rm -rf dir && mkdir dir in one layer: no old child comes back",
			Steps:  []h.Step{h.InLayer("a", h.RemoveAll{Path: "etc/app"}, h.Mkdir{Path: "etc/app", Mode: 0o755})},
			Labels: []string{"delete", "recreate", "dir", "opaque"},
		},
		{
			Name:   "delete-then-recreate-above",
			Doc:    "a file deleted in layer a and written again in layer b shows only its new content",
			Steps:  []h.Step{h.InLayer("a", h.Remove{Path: "etc/hostname"}), h.InLayer("b", h.WriteFile{Path: "etc/hostname", Data: "new\n", Mode: 0o600})},
			Labels: []string{"delete", "recreate", "file"},
		},
		{
			Name:   "dir-replaced-by-file-at-runtime",
			Doc:    "a lower directory removed at runtime and recreated as a file shows as the file",
			Steps:  []h.Step{h.Runtime(h.RemoveAll{Path: "srv/deep"}, h.WriteFile{Path: "srv/deep", Data: "file now\n", Mode: 0o644})},
			Labels: []string{"delete", "recreate", "dir", "type-change"},
		},
		{
			Name:   "delete-symlink-fifo-and-one-hardlink",
			Doc:    "deleting a symlink, a fifo and one name of a hardlink pair leaves the other name intact",
			Steps:  []h.Step{h.InLayer("a", h.Remove{Path: "bin"}, h.Remove{Path: "run/initctl"}, h.Remove{Path: "usr/bin/python3"})},
			Labels: []string{"delete", "symlink", "fifo", "hardlink"},
		},
		{
			Name:   "delete-whiteout-lookalike",
			Doc:    "a file named like a whiteout marker is an ordinary file: deleting it hides it and nothing else",
			Steps:  []h.Step{h.Runtime(h.Remove{Path: "opt/.wh.not-a-whiteout"})},
			Labels: []string{"delete", "odd-name"},
		},
		{
			Name:   "empty-dir-then-rmdir",
			Doc:    "removing every child of a lower directory, then the directory, in one layer",
			Steps:  []h.Step{h.InLayer("a", h.Remove{Path: "etc/sudoers.d/README"}, h.Remove{Path: "etc/sudoers.d"})},
			Labels: []string{"delete", "dir"},
		},
	}
	for i := range s {
		s[i].Suite = "whiteout"
	}
	return s
}
