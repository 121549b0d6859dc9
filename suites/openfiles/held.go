package openfiles

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// lowerFile is a file of the base (layer 0) that no layer changes, and
// replaced is one that layer a rewrites: the lower copy under the
// descriptor is then the one of a built layer.
const (
	lowerFile = "etc/hostname"
	replaced  = "etc/passwd"
)

// held: a read-only descriptor opened on a lower file, then the file
// changed under it, by name or through another descriptor. What the
// descriptor reads and stats afterwards must be what it reads on a plain
// copy.
func held() []scenario.Scenario {
	type change struct {
		name, doc string
		ops       func(p string) []fsop.Op
	}
	changes := []change{
		{"write-through-other-fd", "sees data written through a second, read-write descriptor (overlayfs.rst: since 4.19)",
			func(p string) []fsop.Op {
				return []fsop.Op{rw(p, "w"), fsop.WriteFD{FD: "w", Offset: 0, Data: "CHANGED"}}
			}},
		{"append-by-name", "sees data appended by name (>>)", func(p string) []fsop.Op { return []fsop.Op{fsop.Append{Path: p, Data: "more\n"}} }},
		{"chmod", "stats the new mode after a chmod by name copies the file up", func(p string) []fsop.Op { return []fsop.Op{fsop.Chmod{Path: p, Mode: 0o600}} }},
		{"chown", "stats the new owner after a chown by name copies the file up", func(p string) []fsop.Op { return []fsop.Op{fsop.Chown{Path: p, UID: 1000, GID: 1000}} }},
		{"truncate", "reads and stats the truncated file", func(p string) []fsop.Op { return []fsop.Op{fsop.Truncate{Path: p, Size: 3}} }},
		{"rename", "still reads the file under its new name, and sees a write made there",
			func(p string) []fsop.Op {
				return []fsop.Op{fsop.Rename{From: p, To: p + ".moved"}, fsop.Append{Path: p + ".moved", Data: "after\n"}}
			}},
		{"unlink", "still reads the old data of an unlinked file, whose name is gone (nlink 0)", func(p string) []fsop.Op { return []fsop.Op{fsop.Remove{Path: p}} }},
		{"replace-by-rename", "keeps reading the old file when another file is renamed over its name",
			func(p string) []fsop.Op {
				return []fsop.Op{fsop.WriteFile{Path: p + ".new", Data: "new\n", Mode: 0o644}, fsop.Rename{From: p + ".new", To: p}}
			}},
	}
	var out []scenario.Scenario
	for _, c := range changes {
		for _, where := range []struct {
			label, path string
			layer       []scenario.Step
		}{
			{"base", lowerFile, nil},
			{"layer", replaced, []scenario.Step{scenario.InLayer("a", fsop.WriteFile{Path: replaced, Data: "from layer a\n", Mode: 0o644})}},
		} {
			ops := []fsop.Op{ro(where.path, "r"), read("r"), stat("r")}
			ops = append(ops, c.ops(where.path)...)
			ops = append(ops, read("r"), stat("r"), fsop.ReadFD{FD: "r", Offset: -1, Len: 64})
			out = append(out, scenario.Scenario{
				Name:   "ro-fd-across-" + c.name + "/" + where.label,
				Doc:    "a read-only descriptor opened on a lower file before it changes " + c.doc,
				Steps:  append(append([]scenario.Step{}, where.layer...), scenario.Runtime(ops...)),
				Labels: []string{"held", c.name, where.label},
			})
		}
	}
	return append(out, scenario.Scenario{
		Name: "ro-fd-then-offline-change",
		Doc:  "reading a lower file through a descriptor copies nothing up: a change made offline to the lower copy shows after the remount",
		Steps: []scenario.Step{
			scenario.InLayer("a", fsop.WriteFile{Path: replaced, Data: "from layer a\n", Mode: 0o644}),
			scenario.Runtime(ro(replaced, "r"), read("r"), stat("r"), fsop.Mmap{FD: "r", Length: 4096}, fsop.MapRead{FD: "r", Len: 64}),
			scenario.OfflineIn("a", fsop.WriteFile{Path: replaced, Data: "changed offline\n", Mode: 0o644}),
		},
		Labels: []string{"held", "offline"},
	})
}
