package rename

import (
	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// renameat2: RENAME_NOREPLACE (a name deleted in a lower layer is free, a
// name any layer shows is taken), RENAME_EXCHANGE (files, a file with a
// directory, directories, across layers and directories), and
// RENAME_WHITEOUT where the backend supports it on its merged view (else
// skip: the plain reference supports it, for root and, since Linux 5.8,
// for users, so the difference would only say the flag is missing). Flag
// combinations the VFS refuses give EINVAL on both sides: parity checks,
// not skips.
func renameat2() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name:   "rename-noreplace-onto-existing",
			Doc:    "RENAME_NOREPLACE onto an existing lower file fails with EEXIST and changes nothing",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Rename{From: "etc/hostname", To: "etc/passwd", Flags: unix.RENAME_NOREPLACE})},
			Labels: []string{"rename", "renameat2", "errno"},
		},
		{
			Name:   "noreplace-onto-free-name",
			Doc:    "RENAME_NOREPLACE of a lower file onto a free name moves it",
			Steps:  steps(scenario.Runtime(noreplace("etc/hostname", "etc/hostname.new"))),
			Labels: []string{"rename", "renameat2", "noreplace"},
		},
		{
			Name:   "noreplace-in-layer",
			Doc:    "RENAME_NOREPLACE while building layer 1: a free name is taken, a taken one refused with EEXIST",
			Steps:  steps(scenario.AtLayer(1, noreplace("etc/hostname", "etc/hostname.new"), noreplace("etc/passwd", "etc/group"))),
			Labels: []string{"rename", "renameat2", "noreplace", "errno"},
		},
		{
			Name:   "noreplace-onto-name-deleted-in-layer",
			Doc:    "a name that layer 1 deleted is free: RENAME_NOREPLACE onto it succeeds (a whiteout is not an entry)",
			Steps:  steps(scenario.AtLayer(1, rm("etc/passwd")), scenario.Runtime(noreplace("etc/group", "etc/passwd"))),
			Labels: []string{"rename", "renameat2", "noreplace", "whiteout"},
		},
		{
			Name:   "noreplace-onto-name-deleted-at-runtime",
			Doc:    "a lower file deleted at runtime frees its name for RENAME_NOREPLACE in the same mount",
			Steps:  steps(scenario.Runtime(rm("etc/passwd"), noreplace("etc/group", "etc/passwd"))),
			Labels: []string{"rename", "renameat2", "noreplace", "whiteout"},
		},
		{
			Name:   "noreplace-onto-name-of-upper-layer",
			Doc:    "RENAME_NOREPLACE onto a name only layer 1 holds fails with EEXIST",
			Steps:  steps(scenario.AtLayer(1, write("etc/motd", "motd\n")), scenario.Runtime(noreplace("etc/hostname", "etc/motd"))),
			Labels: []string{"rename", "renameat2", "noreplace", "errno"},
		},
		{
			Name:   "noreplace-onto-dir",
			Doc:    "RENAME_NOREPLACE of a file onto a lower directory fails with EEXIST (not EISDIR)",
			Steps:  steps(scenario.Runtime(noreplace("etc/hostname", "etc/ssh"))),
			Labels: []string{"rename", "renameat2", "noreplace", "errno"},
		},
		{
			Name:   "noreplace-lower-dir",
			Doc:    "RENAME_NOREPLACE of a lower directory onto a free name moves it (or EXDEV)",
			Steps:  steps(scenario.Runtime(noreplace("etc/ssh", "etc/ssh2"))),
			Labels: []string{"rename", "renameat2", "noreplace", "dir", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "noreplace-lower-dir-onto-existing",
			Doc:    "RENAME_NOREPLACE of a lower directory onto an existing name: EEXIST, the VFS's check, wins over overlay's EXDEV",
			Steps:  steps(scenario.Runtime(noreplace("etc/ssh", "etc/app"))),
			Labels: []string{"rename", "renameat2", "noreplace", "dir", "errno"},
		},
		{
			Name: "noreplace-upper-dir-onto-deleted-dir-name",
			Doc:  "a directory made at runtime moved with RENAME_NOREPLACE onto the name of a directory deleted in layer 1: none of the old children show",
			Steps: steps(scenario.AtLayer(1, rmAll("etc/ssh")),
				scenario.Runtime(mkdir("srv/x"), write("srv/x/f", "x\n"), noreplace("srv/x", "etc/ssh"))),
			Labels: []string{"rename", "renameat2", "noreplace", "dir", "whiteout", "opaque"},
		},
		{
			Name:   "rename-exchange-two-lower-files",
			Doc:    "RENAME_EXCHANGE swaps two files from different layers",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.WriteFile{Path: "etc/motd", Data: "hello\n", Mode: 0o600}), scenario.Runtime(fsop.Rename{From: "etc/hostname", To: "etc/motd", Flags: unix.RENAME_EXCHANGE})},
			Labels: []string{"rename", "renameat2", "exchange"},
		},
		{
			Name:   "exchange-files-across-dirs-and-layers",
			Doc:    "RENAME_EXCHANGE of a file of layer 1 with a file of layer 0 in another directory",
			Steps:  steps(scenario.AtLayer(1, write("srv/a-file", "a\n")), scenario.Runtime(exchange("srv/a-file", "etc/hostname"))),
			Labels: []string{"rename", "renameat2", "exchange", "cross-layer"},
		},
		{
			Name:   "exchange-files-in-layer",
			Doc:    "RENAME_EXCHANGE of two files of layer 0 with different owners and modes while building layer 1",
			Steps:  steps(scenario.AtLayer(1, exchange("etc/shadow", "etc/passwd"))),
			Labels: []string{"rename", "renameat2", "exchange", "metadata"},
		},
		{
			Name:   "exchange-file-with-lower-dir",
			Doc:    "RENAME_EXCHANGE of a lower file with a lower directory moves the directory: it swaps them (or EXDEV, since the directory is renamed)",
			Steps:  steps(scenario.Runtime(exchange("etc/hostname", "etc/ssh"))),
			Labels: []string{"rename", "renameat2", "exchange", "dir", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "exchange-file-with-upper-dir",
			Doc:    "RENAME_EXCHANGE of a lower file with a directory made at runtime swaps them under any options",
			Steps:  steps(scenario.Runtime(mkdir("srv/d"), write("srv/d/f", "f\n"), exchange("etc/hostname", "srv/d"))),
			Labels: []string{"rename", "renameat2", "exchange", "dir", "upper"},
		},
		{
			Name: "exchange-file-with-dir-across-layers",
			Doc:  "RENAME_EXCHANGE at runtime of a file of layer 1 with a directory of layer 2: the directory moves with its child (or EXDEV)",
			Steps: steps(scenario.AtLayer(1, write("srv/f", "f\n")), scenario.AtLayer(2, mkdir("srv/d"), write("srv/d/child", "c\n")),
				scenario.Runtime(exchange("srv/f", "srv/d"))),
			Labels: []string{"rename", "renameat2", "exchange", "dir", "redirect", "cross-layer"},
			Expect: exdev,
		},
		{
			Name:   "exchange-lower-dirs",
			Doc:    "RENAME_EXCHANGE of two lower directories swaps their subtrees (or EXDEV)",
			Steps:  steps(scenario.Runtime(exchange("etc/ssh", "etc/app"))),
			Labels: []string{"rename", "renameat2", "exchange", "dir", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "exchange-dirs-across-layers",
			Doc:    "RENAME_EXCHANGE in layer 2 of a directory made in layer 1 with a directory of layer 0",
			Steps:  steps(scenario.AtLayer(1, mkdir("srv/x"), write("srv/x/f", "x\n")), scenario.AtLayer(2, exchange("srv/x", "etc/ssh"))),
			Labels: []string{"rename", "renameat2", "exchange", "dir", "redirect", "cross-layer"},
			Expect: exdev,
		},
		{
			Name: "exchange-upper-dirs",
			Doc:  "RENAME_EXCHANGE of two directories made at runtime swaps their children",
			Steps: steps(scenario.Runtime(mkdir("srv/x"), write("srv/x/fx", "x\n"), mkdir("srv/y"), write("srv/y/fy", "y\n"),
				exchange("srv/x", "srv/y"))),
			Labels: []string{"rename", "renameat2", "exchange", "dir", "upper"},
		},
		{
			Name:   "exchange-upper-dir-with-lower-dir",
			Doc:    "RENAME_EXCHANGE of a directory made at runtime with a lower directory moves the lower one (or EXDEV)",
			Steps:  steps(scenario.Runtime(mkdir("srv/x"), write("srv/x/f", "x\n"), exchange("srv/x", "etc/ssh"))),
			Labels: []string{"rename", "renameat2", "exchange", "dir", "redirect"},
			Expect: exdev,
		},
		{
			Name:   "exchange-hardlink-name-with-file",
			Doc:    "RENAME_EXCHANGE of one name of a hardlink pair with another file: the pair follows the plain copy (or the documented copy-up split)",
			Steps:  steps(scenario.Runtime(exchange("usr/bin/python3", "usr/bin/sh"))),
			Labels: []string{"rename", "renameat2", "exchange", "hardlink"},
			Expect: []string{deviation.CopyUpSplitsLink},
		},
		{
			Name:   "exchange-file-with-symlink",
			Doc:    "RENAME_EXCHANGE of a file with a symlink swaps them without following the link",
			Steps:  steps(scenario.Runtime(exchange("etc/hostname", "etc/os-release"))),
			Labels: []string{"rename", "renameat2", "exchange", "symlink"},
		},
		{
			Name:   "exchange-with-itself",
			Doc:    "RENAME_EXCHANGE of a name with itself succeeds and changes nothing",
			Steps:  steps(scenario.Runtime(exchange("etc/hostname", "etc/hostname"), exchange("etc/ssh", "etc/ssh"))),
			Labels: []string{"rename", "renameat2", "exchange", "self"},
		},
		{
			Name:   "exchange-with-missing-or-deleted",
			Doc:    "RENAME_EXCHANGE with a name that never existed, or that layer 1 deleted, fails with ENOENT",
			Steps:  steps(scenario.AtLayer(1, rm("etc/passwd")), scenario.Runtime(exchange("etc/hostname", "etc/nothing"), exchange("etc/hostname", "etc/passwd"))),
			Labels: []string{"rename", "renameat2", "exchange", "errno", "whiteout"},
		},
		{
			Name:   "exchange-dir-with-own-subdir",
			Doc:    "RENAME_EXCHANGE of a directory with a directory beneath it fails with EINVAL, lower or made at runtime",
			Steps:  steps(scenario.Runtime(exchange("srv/deep", "srv/deep/a"), mkdir("srv/p"), mkdir("srv/p/c"), exchange("srv/p/c", "srv/p"))),
			Labels: []string{"rename", "renameat2", "exchange", "errno"},
		},
		{
			Name:   "exchange-with-noreplace-or-whiteout",
			Doc:    "RENAME_EXCHANGE combined with RENAME_NOREPLACE or RENAME_WHITEOUT is EINVAL on both sides",
			Steps:  steps(scenario.Runtime(fsop.Rename{From: "etc/hostname", To: "etc/passwd", Flags: unix.RENAME_EXCHANGE | unix.RENAME_NOREPLACE}, fsop.Rename{From: "etc/hostname", To: "etc/passwd", Flags: unix.RENAME_EXCHANGE | unix.RENAME_WHITEOUT})),
			Labels: []string{"rename", "renameat2", "exchange", "errno"},
		},
		{
			Name:     "whiteout-file",
			Doc:      "RENAME_WHITEOUT as root moves a lower file and leaves a whiteout (0/0 character device) at its old name",
			Steps:    steps(scenario.Runtime(whiteout("etc/hostname", "etc/hostname.old"))),
			Labels:   []string{"rename", "renameat2", "whiteout-flag"},
			Requires: []string{scenario.FeatureRenameWhiteout},
		},
		{
			Name:     "whiteout-file-in-layer",
			Doc:      "RENAME_WHITEOUT as root while building layer 1",
			Steps:    steps(scenario.AtLayer(1, whiteout("etc/hostname", "etc/hostname.old"))),
			Labels:   []string{"rename", "renameat2", "whiteout-flag"},
			Requires: []string{scenario.FeatureRenameWhiteout},
		},
		{
			Name:     "whiteout-as-user",
			Doc:      "RENAME_WHITEOUT by a user in the sticky /tmp (no CAP_MKNOD needed since Linux 5.8) moves the user's file and leaves a whiteout",
			Steps:    steps(scenario.Runtime(fsop.Rename{From: "tmp/owned-by-user", To: "tmp/mine", Flags: unix.RENAME_WHITEOUT, By: fsop.By{As: fixtures.Owner}})),
			Labels:   []string{"rename", "renameat2", "whiteout-flag", "identity"},
			Requires: []string{scenario.FeatureRenameWhiteout},
		},
	}
}
