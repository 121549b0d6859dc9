package whiteout

import (
	"fmt"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// merged: directories whose names come from several layers, with
// deletions among them: listings without duplicates or ghosts, a
// directory of more than 1,000 entries listed twice, rmdir of a merged
// directory that looks empty, and every child removed before the directory.
func merged() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name: "merged-dir-deletions-in-middle-layer",
			Doc:  "a directory with children from layers 0, a, b and c, deletions in b: each name listed once, every listed name stats, nothing deleted shows",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/app/conf.d/20-a.conf", Data: "a\n", Mode: 0o640},
					fsop.WriteFile{Path: "etc/app/conf.d/21-a.conf", Data: "a\n", Mode: 0o640}),
				scenario.InLayer("b", fsop.Remove{Path: "etc/app/conf.d/10-base.conf"}, fsop.Remove{Path: "etc/app/conf.d/20-a.conf"},
					fsop.WriteFile{Path: "etc/app/conf.d/30-b.conf", Data: "b\n", Mode: 0o640}),
				scenario.InLayer("c", fsop.WriteFile{Path: "etc/app/conf.d/40-c.conf", Data: "c\n", Mode: 0o640},
					fsop.WriteFile{Path: "etc/app/conf.d/10-base.conf.bak", Data: "c\n", Mode: 0o640}),
				scenario.Runtime(fsop.ListTwice{Path: "etc/app/conf.d"}),
			},
			Labels: []string{"merged-dir", "delete", "readdir", "multi-layer"},
		},
		{
			// Most names are made in layer 0, directly (ops of built layers
			// cost more: each goes through a mount).
			Name: "wide-dir-over-layers",
			Doc:  "a directory of more than 1,000 entries from four layers, with deletions in three, listed twice with the directory reopened",
			Steps: []scenario.Step{
				scenario.AtLayer(0, manyFiles("usr/share/zoneinfo/L", 0, 800, nil)...),
				scenario.InLayer("a", manyFiles("usr/share/zoneinfo/A", 0, 100, removeEvery("usr/share/zoneinfo/L", 0, 800, 10))...),
				scenario.InLayer("b", manyFiles("usr/share/zoneinfo/B", 0, 100,
					append(removeEvery("usr/share/zoneinfo/A", 0, 100, 6), removeZones(0, 200, 4)...))...),
				scenario.InLayer("c", manyFiles("usr/share/zoneinfo/C", 0, 100, removeEvery("usr/share/zoneinfo/B", 1, 100, 6))...),
				scenario.Runtime(fsop.ListTwice{Path: "usr/share/zoneinfo"}),
			},
			Labels: []string{"merged-dir", "delete", "readdir", "wide", "multi-layer"},
		},
		{
			Name: "rmdir-merged-dir-that-looks-empty-at-runtime",
			Doc:  "a directory whose children of layers 0 and a were deleted in layer b looks empty, and rmdir at runtime removes it",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/sudoers.d/extra", Data: "a\n", Mode: 0o440}),
				scenario.InLayer("b", fsop.Remove{Path: "etc/sudoers.d/README"}, fsop.Remove{Path: "etc/sudoers.d/extra"}),
				scenario.Runtime(fsop.ListTwice{Path: "etc/sudoers.d"}, fsop.Remove{Path: "etc/sudoers.d"}),
			},
			Labels: []string{"merged-dir", "delete", "dir", "rmdir", "runtime"},
		},
		{
			Name: "rename-over-merged-dir-that-looks-empty-at-runtime",
			Doc: "a new empty directory renamed at runtime over a directory whose children of layers 0 and a were deleted in layer b replaces it " +
				"(the rm -rf of the old name after it only tidies up where the rename failed, so that the rename's outcome is the one finding)",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/sudoers.d/extra", Data: "a\n", Mode: 0o440}),
				scenario.InLayer("b", fsop.Remove{Path: "etc/sudoers.d/README"}, fsop.Remove{Path: "etc/sudoers.d/extra"}),
				scenario.Runtime(fsop.Mkdir{Path: "etc/sudoers.new", Mode: 0o750}, fsop.Rename{From: "etc/sudoers.new", To: "etc/sudoers.d"},
					fsop.RemoveAll{Path: "etc/sudoers.new"}),
			},
			Labels: []string{"merged-dir", "delete", "dir", "rename", "runtime"},
		},
		{
			Name: "rmdir-merged-dir-that-looks-empty-in-layer",
			Doc:  "a directory whose children of layers 0 and a were deleted in layer b is removed by rmdir in layer c",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/sudoers.d/extra", Data: "a\n", Mode: 0o440}),
				scenario.InLayer("b", fsop.Remove{Path: "etc/sudoers.d/README"}, fsop.Remove{Path: "etc/sudoers.d/extra"}),
				scenario.InLayer("c", fsop.Remove{Path: "etc/sudoers.d"}),
			},
			Labels: []string{"merged-dir", "delete", "dir", "rmdir", "multi-layer"},
		},
		{
			Name:   "empty-dir-then-rmdir",
			Doc:    "removing every child of a lower directory, then the directory, in one layer",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "etc/sudoers.d/README"}, fsop.Remove{Path: "etc/sudoers.d"})},
			Labels: []string{"delete", "dir"},
		},
		{
			Name: "remove-children-of-three-layers-then-dir",
			Doc:  "every child of a directory filled by layers 0, a and b removed one by one in layer c, then the directory",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.WriteFile{Path: "etc/ssh/moduli", Data: "a\n", Mode: 0o644}),
				scenario.InLayer("b", fsop.Mkdir{Path: "etc/ssh/ssh_config.d", Mode: 0o755}, fsop.WriteFile{Path: "etc/ssh/ssh_config.d/x.conf", Data: "b\n", Mode: 0o644}),
				scenario.InLayer("c", fsop.Remove{Path: "etc/ssh/ssh_config.d/x.conf"}, fsop.Remove{Path: "etc/ssh/ssh_config.d"},
					fsop.Remove{Path: "etc/ssh/moduli"}, fsop.Remove{Path: "etc/ssh/ssh_host_ed25519_key"}, fsop.Remove{Path: "etc/ssh/sshd_config"},
					fsop.Remove{Path: "etc/ssh"}),
			},
			Labels: []string{"merged-dir", "delete", "dir", "rmdir", "multi-layer"},
		},
	}
}

// manyFiles writes n files prefix%03d (from first), after the ops before.
func manyFiles(prefix string, first, n int, before []fsop.Op) []fsop.Op {
	ops := append([]fsop.Op(nil), before...)
	for i := first; i < first+n; i++ {
		ops = append(ops, fsop.WriteFile{Path: fmt.Sprintf("%s%03d", prefix, i), Data: fmt.Sprintf("%d\n", i), Mode: 0o644})
	}
	return ops
}

// removeEvery removes prefix%03d for every step-th i in [first, n).
func removeEvery(prefix string, first, n, step int) []fsop.Op {
	var ops []fsop.Op
	for i := first; i < n; i += step {
		ops = append(ops, fsop.Remove{Path: fmt.Sprintf("%s%03d", prefix, i)})
	}
	return ops
}

// removeZones removes every step-th of the fixture's zoneinfo files.
func removeZones(first, n, step int) []fsop.Op {
	return removeEvery("usr/share/zoneinfo/Zone", first, n, step)
}
