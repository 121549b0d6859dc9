package rename

import (
	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// errnos: every way a rename fails, on names from every layer: ENOTEMPTY
// (in chains.go), EISDIR, ENOTDIR, EINVAL (a directory into its own
// subtree), ENOENT (missing or deleted source, missing or deleted target
// parent), EEXIST (in renameat2.go), EXDEV (documented, dirs.go), and
// EACCES/EPERM for users: no write permission on the source or target
// directory, no search permission, a sticky directory, a directory moved
// to another parent without write permission on itself. The VFS checks
// these before overlayfs sees the rename, so a lower directory gives the
// plain copy's EACCES or EPERM, never EXDEV; where the plain copy allows a
// user's rename of a lower directory, the documented EXDEV applies.
func errnos() []scenario.Scenario {
	owner, member, other := fixtures.Owner, fixtures.Member, fixtures.Other
	return []scenario.Scenario{
		{
			Name:   "rename-dir-into-own-subtree",
			Doc:    "renaming a directory into its own subtree fails with EINVAL, as on a plain filesystem",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Rename{From: "srv/deep", To: "srv/deep/a/inside"})},
			Labels: []string{"rename", "dir", "errno"},
		},
		{
			Name:   "errno-dir-into-own-subtree-across-layers",
			Doc:    "EINVAL for a lower directory moved into a subdirectory that layer 1 made, and for a directory made at runtime",
			Steps:  steps(scenario.AtLayer(1, mkdir("srv/deep/a/new")), scenario.Runtime(mv("srv/deep/a", "srv/deep/a/new/a"), mkdir("srv/up"), mkdir("srv/up/sub"), mv("srv/up", "srv/up/sub/up"))),
			Labels: []string{"rename", "dir", "errno"},
		},
		{
			Name:   "errno-file-over-dir",
			Doc:    "a file renamed over a lower directory, or one that layer 1 made, fails with EISDIR",
			Steps:  steps(scenario.AtLayer(1, mkdir("srv/d")), scenario.Runtime(mv("etc/hostname", "etc/ssh"), mv("etc/hostname", "srv/d"))),
			Labels: []string{"rename", "file", "errno"},
		},
		{
			Name:   "errno-dir-over-file",
			Doc:    "a directory, lower or made at runtime, renamed over a lower file fails with ENOTDIR (not EXDEV: the VFS checks first)",
			Steps:  steps(scenario.Runtime(mv("etc/ssh", "etc/hostname"), mkdir("srv/up"), mv("srv/up", "etc/passwd"))),
			Labels: []string{"rename", "dir", "errno"},
		},
		{
			Name:   "errno-path-through-file",
			Doc:    "a source or target path that goes through a file fails with ENOTDIR",
			Steps:  steps(scenario.Runtime(mv("etc/hostname/x", "etc/x"), mv("etc/passwd", "etc/hostname/passwd"))),
			Labels: []string{"rename", "errno"},
		},
		{
			Name:   "errno-missing-source",
			Doc:    "a source that never existed, or that layer 1 deleted, fails with ENOENT",
			Steps:  steps(scenario.AtLayer(1, rm("etc/hostname"), rmAll("etc/ssh")), scenario.Runtime(mv("etc/nothing", "etc/x"), mv("etc/hostname", "etc/x"), mv("etc/ssh", "etc/x"))),
			Labels: []string{"rename", "errno", "whiteout"},
		},
		{
			Name:   "errno-missing-target-parent",
			Doc:    "a target whose parent never existed, or was deleted in layer 1, fails with ENOENT",
			Steps:  steps(scenario.AtLayer(1, rmAll("etc/ssh")), scenario.Runtime(mv("etc/hostname", "nowhere/hostname"), mv("etc/hostname", "etc/ssh/hostname"))),
			Labels: []string{"rename", "errno", "whiteout"},
		},
		{
			Name:   "errno-deleted-at-runtime",
			Doc:    "a lower file deleted at runtime cannot be renamed (ENOENT), nor can a file move into a lower directory deleted at runtime",
			Steps:  steps(scenario.Runtime(rm("etc/hostname"), mv("etc/hostname", "etc/x"), rmAll("etc/ssh"), mv("etc/passwd", "etc/ssh/passwd"))),
			Labels: []string{"rename", "errno", "whiteout"},
		},
		{
			Name:   "errno-no-write-on-source-dir",
			Doc:    "a user may not move a file out of a directory it cannot write (EACCES), even into its own",
			Steps:  steps(scenario.Runtime(mvAs(owner, "etc/hostname", "tmp/hostname"), mvAs(owner, "usr/bin/sh", "home/user/sh"))),
			Labels: []string{"rename", "errno", "identity", "eacces"},
		},
		{
			Name:   "errno-no-write-on-target-dir",
			Doc:    "a user may not move its own file into a directory it cannot write (EACCES)",
			Steps:  steps(scenario.Runtime(mvAs(owner, "tmp/owned-by-user", "etc/owned-by-user"), mvAs(owner, "home/user/notes.txt", "usr/notes.txt"))),
			Labels: []string{"rename", "errno", "identity", "eacces"},
		},
		{
			Name:   "errno-no-search-permission",
			Doc:    "a user may not rename in a private directory of another user (EACCES), lower or made in layer 1",
			Steps:  steps(scenario.AtLayer(1, write("root/made-in-a", "a\n")), scenario.Runtime(mvAs(other, "home/user/notes.txt", "tmp/notes.txt"), mvAs(owner, "root/made-in-a", "tmp/x"))),
			Labels: []string{"rename", "errno", "identity", "eacces"},
		},
		{
			Name:   "errno-lower-dir-no-write-as-user",
			Doc:    "a user renaming a lower directory in a directory it cannot write gets EACCES, the plain copy's errno, not EXDEV",
			Steps:  steps(scenario.Runtime(mvAs(other, "etc/ssh", "etc/ssh2"), mvAs(owner, "srv/deep", "srv/deep2"))),
			Labels: []string{"rename", "dir", "errno", "identity", "eacces"},
		},
		{
			Name: "errno-dir-to-other-parent-without-write-on-it",
			Doc: "moving a directory to another parent needs write permission on the directory itself (its \"..\" changes): " +
				"EACCES for a user's rename of a root-owned directory of layer 1 inside its own home, before any EXDEV",
			Steps: steps(scenario.AtLayer(1, mkdir("home/user/rootdir"), mkdir("home/user/dest"), fsop.Chown{Path: "home/user/dest", UID: 1000, GID: 1000}),
				scenario.Runtime(mvAs(owner, "home/user/rootdir", "home/user/dest/rootdir"))),
			Labels: []string{"rename", "dir", "errno", "identity", "eacces"},
		},
		{
			Name: "rename-root-dir-in-own-dir-as-user",
			Doc: "a user may rename a root-owned directory of layer 1 within its own home (same parent, \"..\" unchanged): " +
				"the plain copy allows it, overlay without redirect_dir gives the documented EXDEV",
			Steps:  steps(scenario.AtLayer(1, mkdir("home/user/rootdir")), scenario.Runtime(mvAs(owner, "home/user/rootdir", "home/user/rootdir2"))),
			Labels: []string{"rename", "dir", "identity", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "errno-sticky-dir",
			Doc:    "in the sticky /tmp a user may not rename another user's file, nor rename over it (EPERM), but may rename its own",
			Steps:  steps(scenario.Runtime(mvAs(owner, "tmp/owned-by-other", "tmp/x"), mvAs(owner, "tmp/owned-by-user", "tmp/owned-by-other"), mvAs(owner, "tmp/owned-by-user", "tmp/mine"))),
			Labels: []string{"rename", "errno", "identity", "sticky", "eperm"},
		},
		{
			Name:   "errno-sticky-dir-lower-dir",
			Doc:    "in the sticky /var/tmp a user may not rename a root-owned directory of layer 1: EPERM, the plain copy's errno, not EXDEV",
			Steps:  steps(scenario.AtLayer(1, mkdir("var/tmp/rootdir")), scenario.Runtime(mvAs(other, "var/tmp/rootdir", "var/tmp/x"))),
			Labels: []string{"rename", "dir", "errno", "identity", "sticky", "eperm"},
		},
		{
			Name: "errno-sticky-dir-file-of-layer",
			Doc:  "a file another user made in layer 1 in the sticky /tmp: its owner may rename it, another user may not (EPERM)",
			Steps: steps(scenario.AtLayer(1, write("tmp/of-member", "m\n"), fsop.Chown{Path: "tmp/of-member", UID: 1001, GID: 1001}),
				scenario.Runtime(mvAs(other, "tmp/of-member", "tmp/stolen"), mvAs(member, "tmp/of-member", "tmp/of-member.bak"))),
			Labels: []string{"rename", "errno", "identity", "sticky", "eperm"},
		},
		{
			Name:   "errno-group-writable-dir",
			Doc:    "a member of the group may rename in the setgid group-writable home/shared, another user may not (EACCES)",
			Steps:  steps(scenario.Runtime(mvAs(other, "home/shared/plan.txt", "home/shared/x"), mvAs(member, "home/shared/plan.txt", "home/shared/plan.old"))),
			Labels: []string{"rename", "errno", "identity", "eacces"},
		},
	}
}
