package whiteout

import (
	"fmt"

	h "github.com/layercheck/layercheck/harness"
)

// merged: directories whose names come from several layers, with
// deletions among them: listings without duplicates or ghosts, a
// directory of more than 1,000 entries listed twice, rmdir of a merged
// directory that looks empty, and every child removed before the directory.
func merged() []h.Scenario {
	return []h.Scenario{
		{
			Name: "merged-dir-deletions-in-middle-layer",
			Doc:  "a directory with children from layers 0, a, b and c, deletions in b: each name listed once, every listed name stats, nothing deleted shows",
			Steps: []h.Step{
				h.InLayer("a", h.WriteFile{Path: "etc/app/conf.d/20-a.conf", Data: "a\n", Mode: 0o640},
					h.WriteFile{Path: "etc/app/conf.d/21-a.conf", Data: "a\n", Mode: 0o640}),
				h.InLayer("b", h.Remove{Path: "etc/app/conf.d/10-base.conf"}, h.Remove{Path: "etc/app/conf.d/20-a.conf"},
					h.WriteFile{Path: "etc/app/conf.d/30-b.conf", Data: "b\n", Mode: 0o640}),
				h.InLayer("c", h.WriteFile{Path: "etc/app/conf.d/40-c.conf", Data: "c\n", Mode: 0o640},
					h.WriteFile{Path: "etc/app/conf.d/10-base.conf.bak", Data: "c\n", Mode: 0o640}),
				h.Runtime(h.ListTwice{Path: "etc/app/conf.d"}),
			},
			Labels: []string{"merged-dir", "delete", "readdir", "multi-layer"},
		},
		{
			// Most names are made in layer 0, directly (ops of built layers
			// cost more: each goes through a mount).
			Name: "wide-dir-over-layers",
			Doc:  "a directory of more than 1,000 entries from four layers, with deletions in three, listed twice with the directory reopened",
			Steps: []h.Step{
				h.AtLayer(0, manyFiles("usr/share/zoneinfo/L", 0, 800, nil)...),
				h.InLayer("a", manyFiles("usr/share/zoneinfo/A", 0, 100, removeEvery("usr/share/zoneinfo/L", 0, 800, 10))...),
				h.InLayer("b", manyFiles("usr/share/zoneinfo/B", 0, 100,
					append(removeEvery("usr/share/zoneinfo/A", 0, 100, 6), removeZones(0, 200, 4)...))...),
				h.InLayer("c", manyFiles("usr/share/zoneinfo/C", 0, 100, removeEvery("usr/share/zoneinfo/B", 1, 100, 6))...),
				h.Runtime(h.ListTwice{Path: "usr/share/zoneinfo"}),
			},
			Labels: []string{"merged-dir", "delete", "readdir", "wide", "multi-layer"},
		},
		{
			Name: "rmdir-merged-dir-that-looks-empty-at-runtime",
			Doc:  "a directory whose children of layers 0 and a were deleted in layer b looks empty, and rmdir at runtime removes it",
			Steps: []h.Step{
				h.InLayer("a", h.WriteFile{Path: "etc/sudoers.d/extra", Data: "a\n", Mode: 0o440}),
				h.InLayer("b", h.Remove{Path: "etc/sudoers.d/README"}, h.Remove{Path: "etc/sudoers.d/extra"}),
				h.Runtime(h.ListTwice{Path: "etc/sudoers.d"}, h.Remove{Path: "etc/sudoers.d"}),
			},
			Labels: []string{"merged-dir", "delete", "dir", "rmdir", "runtime"},
		},
		{
			Name: "rename-over-merged-dir-that-looks-empty-at-runtime",
			Doc: "a new empty directory renamed at runtime over a directory whose children of layers 0 and a were deleted in layer b replaces it " +
				"(the rm -rf of the old name after it only tidies up where the rename failed, so that the rename's outcome is the one finding)",
			Steps: []h.Step{
				h.InLayer("a", h.WriteFile{Path: "etc/sudoers.d/extra", Data: "a\n", Mode: 0o440}),
				h.InLayer("b", h.Remove{Path: "etc/sudoers.d/README"}, h.Remove{Path: "etc/sudoers.d/extra"}),
				h.Runtime(h.Mkdir{Path: "etc/sudoers.new", Mode: 0o750}, h.Rename{From: "etc/sudoers.new", To: "etc/sudoers.d"},
					h.RemoveAll{Path: "etc/sudoers.new"}),
			},
			Labels: []string{"merged-dir", "delete", "dir", "rename", "runtime"},
		},
		{
			Name: "rmdir-merged-dir-that-looks-empty-in-layer",
			Doc:  "a directory whose children of layers 0 and a were deleted in layer b is removed by rmdir in layer c",
			Steps: []h.Step{
				h.InLayer("a", h.WriteFile{Path: "etc/sudoers.d/extra", Data: "a\n", Mode: 0o440}),
				h.InLayer("b", h.Remove{Path: "etc/sudoers.d/README"}, h.Remove{Path: "etc/sudoers.d/extra"}),
				h.InLayer("c", h.Remove{Path: "etc/sudoers.d"}),
			},
			Labels: []string{"merged-dir", "delete", "dir", "rmdir", "multi-layer"},
		},
		{
			Name:   "empty-dir-then-rmdir",
			Doc:    "removing every child of a lower directory, then the directory, in one layer",
			Steps:  []h.Step{h.InLayer("a", h.Remove{Path: "etc/sudoers.d/README"}, h.Remove{Path: "etc/sudoers.d"})},
			Labels: []string{"delete", "dir"},
		},
		{
			Name: "remove-children-of-three-layers-then-dir",
			Doc:  "every child of a directory filled by layers 0, a and b removed one by one in layer c, then the directory",
			Steps: []h.Step{
				h.InLayer("a", h.WriteFile{Path: "etc/ssh/moduli", Data: "a\n", Mode: 0o644}),
				h.InLayer("b", h.Mkdir{Path: "etc/ssh/ssh_config.d", Mode: 0o755}, h.WriteFile{Path: "etc/ssh/ssh_config.d/x.conf", Data: "b\n", Mode: 0o644}),
				h.InLayer("c", h.Remove{Path: "etc/ssh/ssh_config.d/x.conf"}, h.Remove{Path: "etc/ssh/ssh_config.d"},
					h.Remove{Path: "etc/ssh/moduli"}, h.Remove{Path: "etc/ssh/ssh_host_ed25519_key"}, h.Remove{Path: "etc/ssh/sshd_config"},
					h.Remove{Path: "etc/ssh"}),
			},
			Labels: []string{"merged-dir", "delete", "dir", "rmdir", "multi-layer"},
		},
	}
}

// manyFiles writes n files prefix%03d (from first), after the ops before.
func manyFiles(prefix string, first, n int, before []h.Op) []h.Op {
	ops := append([]h.Op(nil), before...)
	for i := first; i < first+n; i++ {
		ops = append(ops, h.WriteFile{Path: fmt.Sprintf("%s%03d", prefix, i), Data: fmt.Sprintf("%d\n", i), Mode: 0o644})
	}
	return ops
}

// removeEvery removes prefix%03d for every step-th i in [first, n).
func removeEvery(prefix string, first, n, step int) []h.Op {
	var ops []h.Op
	for i := first; i < n; i += step {
		ops = append(ops, h.Remove{Path: fmt.Sprintf("%s%03d", prefix, i)})
	}
	return ops
}

// removeZones removes every step-th of the fixture's zoneinfo files.
func removeZones(first, n, step int) []h.Op {
	return removeEvery("usr/share/zoneinfo/Zone", first, n, step)
}
