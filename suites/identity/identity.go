// Package identity holds the scenarios that exercise inode identity where
// the storage layout matters (harness/layout): a hardlink group spread over
// layers on different filesystems, a copy-up from a lower that is a
// squashfs or erofs image, a rename of a directory that a nested overlay
// serves, and an offline change of a lower that a layout seals (a skip
// with overlayfs.rst's citation there).
//
// Every scenario of every suite gets the inode checks (snapshot.KindInode:
// d_ino against st_ino, uniform st_dev, st_ino kept by an op that keeps
// the file and across the remount, names sharing an inode exactly when
// they are one file); these ones put the identity-keeping ops where a
// layout breaks them if anything does. Run them with --layout perlayer,
// squashfs, erofs or nested; on samefs they are a baseline.
package identity

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Scenarios returns the suite's scenarios, unexpanded.
func Scenarios() []scenario.Scenario {
	s := []scenario.Scenario{
		{
			Name: "hardlink-group-across-layers",
			Doc: "a hardlink pair made in layer a, a third name added in layer b (copying the file up into b, on another " +
				"filesystem with perlayer), then written and linked again at runtime: every name that is one file on the " +
				"reference shares one st_ino, and st_ino stays through the link and the write",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "srv/h", Data: "h\n", Mode: 0o644}, fsop.Link{Old: "srv/h", New: "srv/h2"}),
				scenario.InLayer("b", fsop.Link{Old: "srv/h", New: "srv/h3"}),
				scenario.Runtime(fsop.Append{Path: "srv/h2", Data: "more\n"}, fsop.Link{Old: "srv/h2", New: "srv/h4"}),
			},
			Labels: []string{"identity", "hardlink", "multi-layer"},
		},
		{
			Name: "copy-up-of-base-file-keeps-st_ino",
			Doc: "a file of layer 0 (a squashfs or erofs image with those layouts) is appended to, chmodded and given an " +
				"xattr at runtime: each copies it up or acts on the copy, and st_ino stays what it was",
			Steps: []scenario.Step{
				scenario.Runtime(fsop.Append{Path: "etc/hostname", Data: "more\n"}, fsop.Chmod{Path: "etc/hostname", Mode: 0o600},
					fsop.SetXattr{Path: "etc/hostname", Name: "user.layercheck", Value: "1"}),
			},
			Labels: []string{"identity", "copy-up"},
		},
		{
			Name: "copy-up-of-base-hardlink-keeps-st_ino",
			Doc:  "one name of a hardlink triple of layer 0 is truncated at runtime: its st_ino stays, and its other names follow it as the reference's do",
			Steps: []scenario.Step{
				scenario.Runtime(fsop.Truncate{Path: "usr/bin/helper", Size: 1}),
			},
			Labels: []string{"identity", "copy-up", "hardlink"},
		},
		{
			Name: "rename-dir-from-the-lowers",
			Doc: "a directory of layer 0 (served by the inner overlay with the nested layout) is renamed at runtime, " +
				"then a file in it is written: names, st_ino and d_ino hold (or rename(2) gives the documented EXDEV)",
			Steps: []scenario.Step{
				scenario.Runtime(fsop.Rename{From: "etc/app", To: "etc/app-renamed"}, fsop.Append{Path: "etc/app-renamed/app.conf", Data: "x=1\n"}),
			},
			Labels: []string{"identity", "rename", "dir"},
		},
		{
			Name: "offline-change-of-a-lower",
			Doc: "a file of layer 0 is rewritten while nothing is mounted: the remount shows the new content; a layout " +
				"that seals its layers (squashfs, erofs, nfs, nested) skips it with overlayfs.rst's citation",
			Steps: []scenario.Step{
				scenario.Runtime(fsop.Chmod{Path: "etc/os-release", Mode: 0o600}),
				scenario.OfflineAt(0, fsop.WriteFile{Path: "etc/hostname", Data: "changed offline\n", Mode: 0o644}),
			},
			Labels: []string{"identity", "offline"},
		},
	}
	for i := range s {
		s[i].Suite = "identity"
	}
	return s
}
