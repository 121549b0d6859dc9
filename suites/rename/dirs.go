package rename

import (
	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// dirs: renames of directories from a lower layer, merged from several
// layers, holding children deleted in a middle layer, holding an opaque
// subdirectory or hardlinks; then creation, deletion and a rename back in
// the renamed directory. With redirect_dir=on every child of every layer
// must follow the directory and no deleted child may come back, before and
// after the remount; without it the documented result is EXDEV for every
// lower or merged directory, and a directory that only the upper holds
// must still move.
func dirs() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name:   "rename-lower-dir",
			Doc:    "a directory from a lower layer renamed at runtime keeps all children (or gives the documented EXDEV)",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Rename{From: "etc/ssh", To: "etc/ssh.old"})},
			Labels: []string{"rename", "dir", "redirect"},
			Expect: []string{deviation.RenameDirEXDEV},
		},
		{
			Name: "rename-merged-dir-in-layer",
			Doc:  "a directory merged from layers 0 and a, renamed in layer b, keeps the children of both",
			Steps: []scenario.Step{scenario.InLayer("a", fsop.WriteFile{Path: "etc/app/conf.d/20-extra.conf", Data: "x\n", Mode: 0o640}),
				scenario.InLayer("b", fsop.Rename{From: "etc/app", To: "etc/app2"})},
			Labels: []string{"rename", "dir", "merged", "redirect"},
			Expect: []string{deviation.RenameDirEXDEV},
		},
		{
			Name:   "rename-lower-dir-in-layer",
			Doc:    "a directory of layer 0 moved to another parent while building layer a: its children show under the new name in every view above",
			Steps:  steps(scenario.InLayer("a", mv("etc/ssh", "srv/ssh"))),
			Labels: []string{"rename", "dir", "redirect"},
			Expect: exdev,
		},
		{
			Name: "rename-dir-merged-from-several-layers",
			Doc:  "a directory with children from layers 0, a and b renamed at runtime shows every child of every layer under the new name",
			Steps: steps(
				scenario.InLayer("a", write("etc/app/conf.d/20-a.conf", "a\n")),
				scenario.InLayer("b", write("etc/app/30-b.conf", "b\n"), mkdir("etc/app/b.d"), write("etc/app/b.d/f", "b\n")),
				scenario.Runtime(mv("etc/app", "srv/app"))),
			Labels: []string{"rename", "dir", "merged", "redirect"},
			Expect: exdev,
		},
		{
			Name: "rename-dir-with-children-deleted-in-middle-layer",
			Doc: "a directory whose children were deleted in layer a and added in layer b, renamed at runtime, " +
				"then created in, deleted in and renamed back: no deleted child comes back, before or after the remount",
			Steps: steps(
				scenario.InLayer("a", rm("etc/app/app.conf"), rmAll("etc/app/conf.d")),
				scenario.InLayer("b", write("etc/app/new.conf", "b\n")),
				scenario.Runtime(mv("etc/app", "srv/app"), write("srv/app/created", "rt\n"), rm("srv/app/new.conf"),
					mv("srv/app", "etc/app"))),
			Labels: []string{"rename", "dir", "merged", "whiteout", "redirect"},
			Expect: exdev,
		},
		{
			Name: "rename-dir-with-deleted-children-in-layer",
			Doc: "the same chain with the rename in layer c: a child deleted in layer a stays deleted under the new name, " +
				"and the runtime can create, delete and rename back",
			Steps: steps(
				scenario.InLayer("a", rm("etc/ssh/sshd_config")),
				scenario.InLayer("b", write("etc/ssh/ssh_config", "b\n")),
				scenario.InLayer("c", mv("etc/ssh", "srv/ssh")),
				scenario.Runtime(write("srv/ssh/known_hosts", "rt\n"), rm("srv/ssh/ssh_config"), mv("srv/ssh", "etc/ssh"))),
			Labels: []string{"rename", "dir", "merged", "whiteout", "redirect"},
			Expect: exdev,
		},
		{
			Name: "rename-pure-upper-dir",
			Doc:  "a directory made at runtime (only the upper holds it) moves into a lower directory with its children: EXDEV here is a bug under any options",
			Steps: steps(scenario.Runtime(mkdir("srv/made"), write("srv/made/f", "f\n"), mkdir("srv/made/sub"),
				write("srv/made/sub/g", "g\n"), mv("srv/made", "etc/made"))),
			Labels: []string{"rename", "dir", "upper"},
		},
		{
			Name:   "rename-dir-made-in-same-layer",
			Doc:    "a directory made and renamed while building the same layer is an upper directory there: it moves",
			Steps:  steps(scenario.AtLayer(1, mkdir("srv/made"), write("srv/made/f", "f\n"), mv("srv/made", "etc/made"))),
			Labels: []string{"rename", "dir", "upper"},
		},
		{
			Name:   "rename-dir-made-in-lower-layer",
			Doc:    "a directory made in layer 1 is a lower directory in layer 2: renamed there, its children follow (or EXDEV)",
			Steps:  steps(scenario.AtLayer(1, mkdir("srv/made"), write("srv/made/f", "f\n")), scenario.AtLayer(2, mv("srv/made", "srv/moved"))),
			Labels: []string{"rename", "dir", "redirect", "cross-layer"},
			Expect: exdev,
		},
		{
			Name: "rename-dir-then-recreate-old-name",
			Doc:  "after renaming a lower directory, a new directory at the old name is empty but for what is made in it: the old children stay with the moved directory",
			Steps: steps(scenario.Runtime(mv("etc/ssh", "etc/ssh.old"), mkdir("etc/ssh"), write("etc/ssh/new", "new\n"),
				mv("etc/ssh.old/sshd_config", "etc/ssh/sshd_config"))),
			Labels: []string{"rename", "dir", "redirect", "recreate"},
			Expect: exdev,
		},
		{
			Name:   "rename-dir-then-recreate-old-name-in-layers",
			Doc:    "a lower directory renamed in layer 1 and its old name made again in layer 2: the new one shows only its own children",
			Steps:  steps(scenario.AtLayer(1, mv("etc/ssh", "etc/ssh.old")), scenario.AtLayer(2, mkdir("etc/ssh"), write("etc/ssh/new", "new\n"))),
			Labels: []string{"rename", "dir", "redirect", "recreate", "cross-layer"},
			Expect: exdev,
		},
		{
			Name:   "rename-dir-and-back",
			Doc:    "a lower directory renamed and renamed back at runtime, then written in, shows its old children and the new one once",
			Steps:  steps(scenario.Runtime(mv("etc/ssh", "etc/ssh.tmp"), mv("etc/ssh.tmp", "etc/ssh"), write("etc/ssh/new", "new\n"))),
			Labels: []string{"rename", "dir", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "rename-dir-and-back-across-layers",
			Doc:    "a lower directory moved away in layer 1 and back in layer 2 shows its children once, under its old name",
			Steps:  steps(scenario.AtLayer(1, mv("etc/ssh", "srv/ssh")), scenario.AtLayer(2, mv("srv/ssh", "etc/ssh"))),
			Labels: []string{"rename", "dir", "redirect", "cross-layer"},
			Expect: exdev,
		},
		{
			Name: "rename-dir-with-opaque-subdir",
			Doc:  "a directory whose subdirectory layer a replaced (rm -rf, mkdir: opaque) renamed at runtime: the old children of the subdirectory stay hidden",
			Steps: steps(scenario.InLayer("a", rmAll("etc/app/conf.d"), mkdir("etc/app/conf.d"), write("etc/app/conf.d/50-new.conf", "new\n")),
				scenario.Runtime(mv("etc/app", "etc/app.new"))),
			Labels: []string{"rename", "dir", "opaque", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "rename-dir-with-hardlinks-inside",
			Doc:    "a lower directory holding two names of a hardlink triple renamed: the three names stay one file with the plain copy's count",
			Steps:  steps(scenario.Runtime(mv("usr/sbin", "usr/sbin.d"))),
			Labels: []string{"rename", "dir", "hardlink", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "rename-dir-keeps-metadata",
			Doc:    "renamed lower directories keep mode, owner and user.* xattrs, their own and their children's",
			Steps:  steps(scenario.Runtime(mv("home/user", "home/user2"), mv("srv/deep/a", "srv/a"), mv("var/log", "var/log.old"))),
			Labels: []string{"rename", "dir", "metadata", "xattr", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "rename-nested-then-parent",
			Doc:    "a deep lower directory moved out, then its old ancestor renamed: both keep their subtrees",
			Steps:  steps(scenario.Runtime(mv("srv/deep/a/b/c", "srv/c"), mv("srv/deep", "srv/deep2"))),
			Labels: []string{"rename", "dir", "nested", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "rename-parent-then-child",
			Doc:    "a lower directory renamed in layer a, then a directory beneath it moved out at runtime (a redirect inside a redirect)",
			Steps:  steps(scenario.InLayer("a", mv("srv/deep", "srv/d2")), scenario.Runtime(mv("srv/d2/a/b", "srv/b"))),
			Labels: []string{"rename", "dir", "nested", "redirect", "cross-layer"},
			Expect: exdev,
		},
		{
			Name:   "rename-dir-into-dir-of-other-layer",
			Doc:    "a directory of layer 0 moved at runtime into a directory that layer 1 created",
			Steps:  steps(scenario.AtLayer(1, mkdir("srv/target")), scenario.Runtime(mv("etc/ssh", "srv/target/ssh"))),
			Labels: []string{"rename", "dir", "redirect", "cross-layer"},
			Expect: exdev,
		},
		{
			Name: "rename-lower-dir-as-owner",
			Doc:  "the owner of a lower directory in the sticky /tmp renames it: the plain copy allows it, overlay without redirect_dir gives the documented EXDEV",
			Steps: steps(
				scenario.AtLayer(1, mkdir("tmp/udir"), write("tmp/udir/f", "u\n"), fsop.Chown{Path: "tmp/udir", UID: 1000, GID: 1000},
					fsop.Chown{Path: "tmp/udir/f", UID: 1000, GID: 1000}),
				scenario.Runtime(mvAs(fixtures.Owner, "tmp/udir", "tmp/udir2"))),
			Labels: []string{"rename", "dir", "identity", "redirect"},
			Expect: exdev,
		},
	}
}
