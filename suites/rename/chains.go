package rename

import (
	"github.com/layercheck/layercheck/harness/scenario"
)

// chains: renames that build on each other across layers: a name moved
// twice in two layers and taken again in a third, two names swapped
// through a third, a lower file moved into a new directory and deleted,
// renames into names a lower layer deleted, and directories renamed over
// empty and non-empty directories.
func chains() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name: "chain-file-fixed-layers",
			Doc:  "a -> b in layer 2, b -> c in layer 3, a new a in layer 4, c -> a at runtime: a shows the first file's data, b and c are gone",
			Steps: steps(
				scenario.AtLayer(2, mv("etc/hostname", "etc/hostname.b")),
				scenario.AtLayer(3, mv("etc/hostname.b", "etc/hostname.c")),
				scenario.AtLayer(4, write("etc/hostname", "new a\n")),
				scenario.Runtime(mv("etc/hostname.c", "etc/hostname"))),
			Labels: []string{"rename", "chain", "file", "cross-layer"},
		},
		{
			Name: "chain-file",
			Doc:  "the a -> b -> c, new a, c -> a chain with the layers a < b < c chosen over the stack",
			Steps: steps(
				scenario.InLayer("a", mv("etc/hostname", "etc/hostname.b")),
				scenario.InLayer("b", mv("etc/hostname.b", "etc/hostname.c")),
				scenario.InLayer("c", write("etc/hostname", "new a\n")),
				scenario.Runtime(mv("etc/hostname.c", "etc/hostname"))),
			Labels: []string{"rename", "chain", "file", "cross-layer"},
		},
		{
			Name: "chain-dir",
			Doc: "the chain with a directory: its children follow every step; at runtime c -> a fails with ENOTEMPTY while the new a has a child " +
				"and replaces it once the child is deleted",
			Steps: steps(
				scenario.InLayer("a", mv("etc/ssh", "etc/ssh.b")),
				scenario.InLayer("b", mv("etc/ssh.b", "etc/ssh.c")),
				scenario.InLayer("c", mkdir("etc/ssh"), write("etc/ssh/new", "new\n")),
				scenario.Runtime(mv("etc/ssh.c", "etc/ssh"), rm("etc/ssh/new"), mv("etc/ssh.c", "etc/ssh"))),
			Labels: []string{"rename", "chain", "dir", "redirect", "cross-layer"},
			Expect: exdev,
		},
		{
			Name: "chain-dir-fixed-layers",
			Doc:  "the chain with a directory in layers 2, 3 and 4, as the issue states it",
			Steps: steps(
				scenario.AtLayer(2, mv("etc/app", "etc/app.b")),
				scenario.AtLayer(3, mv("etc/app.b", "etc/app.c")),
				scenario.AtLayer(4, mkdir("etc/app")),
				scenario.Runtime(mv("etc/app.c", "etc/app"))),
			Labels: []string{"rename", "chain", "dir", "redirect", "cross-layer"},
			Expect: exdev,
		},
		{
			Name: "swap-files-through-third",
			Doc:  "two lower files swapped through a third name at runtime carry each other's data and metadata",
			Steps: steps(scenario.Runtime(mv("etc/passwd", "etc/swap"), mv("etc/shadow", "etc/passwd"),
				mv("etc/swap", "etc/shadow"))),
			Labels: []string{"rename", "chain", "file", "swap"},
		},
		{
			Name: "swap-files-through-third-across-layers",
			Doc:  "a file of layer 1 and a file of layer 0 swapped through a third name in layer 2",
			Steps: steps(scenario.AtLayer(1, write("etc/motd", "motd\n")),
				scenario.AtLayer(2, mv("etc/hostname", "etc/swap"), mv("etc/motd", "etc/hostname"), mv("etc/swap", "etc/motd"))),
			Labels: []string{"rename", "chain", "file", "swap", "cross-layer"},
		},
		{
			Name:   "swap-dirs-through-third",
			Doc:    "two lower directories swapped through a third name: each keeps its children under the other's name",
			Steps:  steps(scenario.Runtime(mv("etc/ssh", "etc/swap"), mv("etc/app", "etc/ssh"), mv("etc/swap", "etc/app"))),
			Labels: []string{"rename", "chain", "dir", "swap", "redirect"},
			Expect: exdev,
		},
		{
			Name: "swap-upper-dirs-through-third",
			Doc:  "two directories made at runtime swapped through a third name, with their children",
			Steps: steps(scenario.Runtime(mkdir("srv/x"), write("srv/x/fx", "x\n"), mkdir("srv/y"), write("srv/y/fy", "y\n"),
				mv("srv/x", "srv/swap"), mv("srv/y", "srv/x"), mv("srv/swap", "srv/y"))),
			Labels: []string{"rename", "chain", "dir", "swap", "upper"},
		},
		{
			Name: "move-lower-file-into-new-dir-then-delete",
			Doc:  "a lower file moved into a directory made in layer a, deleted there in layer b, the directory removed at runtime: the file never comes back",
			Steps: steps(scenario.InLayer("a", mkdir("srv/new"), mv("etc/hostname", "srv/new/hostname")),
				scenario.InLayer("b", rm("srv/new/hostname")), scenario.Runtime(rm("srv/new"))),
			Labels: []string{"rename", "chain", "file", "whiteout", "cross-layer"},
		},
		{
			Name: "move-lower-file-into-new-dir-then-delete-at-runtime",
			Doc:  "the same chain in one runtime mount",
			Steps: steps(scenario.Runtime(mkdir("srv/new"), mv("etc/hostname", "srv/new/hostname"), rm("srv/new/hostname"),
				rm("srv/new"))),
			Labels: []string{"rename", "chain", "file", "whiteout"},
		},
		{
			Name:   "rename-file-into-deleted-name",
			Doc:    "a file renamed at runtime onto a name that layer 1 deleted shows its own data there, nothing of the deleted file",
			Steps:  steps(scenario.AtLayer(1, rm("etc/passwd")), scenario.Runtime(mv("etc/group", "etc/passwd"))),
			Labels: []string{"rename", "chain", "file", "whiteout"},
		},
		{
			Name:   "rename-file-into-deleted-name-in-layer",
			Doc:    "a file deleted in layer 1, another renamed onto its name in layer 2",
			Steps:  steps(scenario.AtLayer(1, rm("etc/passwd")), scenario.AtLayer(2, mv("etc/group", "etc/passwd"))),
			Labels: []string{"rename", "chain", "file", "whiteout", "cross-layer"},
		},
		{
			Name: "rename-upper-dir-into-deleted-dir-name",
			Doc:  "a directory made at runtime renamed onto the name of a directory that layer a deleted: none of the deleted directory's children show",
			Steps: steps(scenario.InLayer("a", rmAll("etc/ssh")),
				scenario.Runtime(mkdir("srv/x"), write("srv/x/f", "x\n"), mv("srv/x", "etc/ssh"))),
			Labels: []string{"rename", "chain", "dir", "whiteout", "opaque"},
		},
		{
			Name:   "rename-lower-dir-into-deleted-dir-name",
			Doc:    "a lower directory renamed in layer b onto the name of a directory that layer a deleted: only its own children show",
			Steps:  steps(scenario.InLayer("a", rmAll("etc/ssh")), scenario.InLayer("b", mv("etc/app", "etc/ssh"))),
			Labels: []string{"rename", "chain", "dir", "whiteout", "redirect"},
			Expect: exdev,
		},
		{
			Name: "rename-dir-over-empty-dirs",
			Doc:  "a directory made at runtime renamed over an empty directory made at runtime and then over an empty lower one (var/mail)",
			Steps: steps(scenario.Runtime(mkdir("srv/src"), write("srv/src/f", "f\n"), mkdir("srv/empty"), mv("srv/src", "srv/empty"),
				mv("srv/empty", "var/mail"))),
			Labels: []string{"rename", "chain", "dir", "replace"},
		},
		{
			Name: "rename-dir-over-dir-emptied-in-layer",
			Doc:  "a directory renamed over a lower directory whose only child layer a deleted: it replaces it and the child never comes back",
			Steps: steps(scenario.InLayer("a", rm("etc/sudoers.d/README")),
				scenario.Runtime(mkdir("srv/src"), write("srv/src/f", "f\n"), mv("srv/src", "etc/sudoers.d"))),
			Labels: []string{"rename", "chain", "dir", "replace", "whiteout", "opaque"},
		},
		{
			Name:   "rename-lower-dir-over-empty-dir",
			Doc:    "a lower directory renamed over an empty directory (or EXDEV)",
			Steps:  steps(scenario.AtLayer(1, mkdir("srv/empty")), scenario.Runtime(mv("etc/ssh", "srv/empty"))),
			Labels: []string{"rename", "chain", "dir", "replace", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "rename-dir-over-non-empty-dir",
			Doc:    "a directory made at runtime renamed over a non-empty lower one fails with ENOTEMPTY and changes nothing",
			Steps:  steps(scenario.Runtime(mkdir("srv/src"), mv("srv/src", "etc/ssh"))),
			Labels: []string{"rename", "chain", "dir", "replace", "errno"},
		},
		{
			Name: "rename-upper-dir-over-non-empty-upper-dir",
			Doc: "a directory made at runtime renamed over a non-empty one also made at runtime, in a merged parent, fails with " +
				"ENOTEMPTY and must leave the upper as it was",
			Steps:  steps(scenario.Runtime(mkdir("srv/src"), mkdir("srv/full"), write("srv/full/f", "f\n"), mv("srv/src", "srv/full"))),
			Labels: []string{"rename", "chain", "dir", "replace", "errno", "upper"},
		},
		{
			Name:   "rename-dir-over-dir-filled-in-layer",
			Doc:    "a directory renamed over a directory empty in layer 0 but filled in layer 1 fails with ENOTEMPTY",
			Steps:  steps(scenario.AtLayer(1, write("var/mail/root", "mail\n")), scenario.Runtime(mkdir("srv/src"), mv("srv/src", "var/mail"))),
			Labels: []string{"rename", "chain", "dir", "replace", "errno"},
		},
		{
			Name:   "rename-lower-dir-over-non-empty-dir",
			Doc:    "a lower directory renamed over a non-empty one: ENOTEMPTY on the plain copy; overlay without redirect_dir refuses to move the directory first (the documented EXDEV)",
			Steps:  steps(scenario.Runtime(mv("etc/app", "etc/ssh"))),
			Labels: []string{"rename", "chain", "dir", "replace", "errno", "redirect"},
			Expect: exdev,
		},
	}
}
