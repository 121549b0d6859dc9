package fuzz

import (
	"path"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// heldFD: a descriptor opened on a lower file (read-only, read-write,
// appending), perhaps mapped shared or locked, used, then the file copied
// up through another name or another descriptor, then the descriptor read,
// written, stat'ed and closed.
func (p *patGen) heldFD() {
	f := p.lowerFile("held")
	flags := []int{unix.O_RDONLY, unix.O_RDONLY, unix.O_RDWR, unix.O_RDWR | unix.O_APPEND, unix.O_WRONLY | unix.O_APPEND}[p.r.IntN(5)]
	ops := []fsop.Op{fsop.Open{Path: f, Flags: flags, Mode: 0o644, FD: "h"}}
	mapped := false
	switch p.r.IntN(4) {
	case 0:
		mapped = readable(flags)
		ops = append(ops, fsop.Mmap{FD: "h", Shared: true, Length: 4096})
	case 1:
		ops = append(ops, fsop.Flock{FD: "h", How: "ex"})
	}
	if readable(flags) {
		ops = append(ops, fsop.ReadFD{FD: "h", Offset: 0, Len: 64})
	}
	ops = append(ops, p.copyUpElsewhere(f)...)
	if readable(flags) {
		ops = append(ops, fsop.ReadFD{FD: "h", Offset: 0, Len: 64})
	}
	if mapped {
		ops = append(ops, fsop.MapRead{FD: "h", Len: 32})
	}
	if writable(flags) {
		ops = append(ops, fsop.WriteFD{FD: "h", Offset: -1, Data: "through the held fd\n"}, fsop.ReadFile{Path: f})
	}
	ops = append(ops, fsop.FstatFD{FD: "h"})
	if p.r.IntN(4) != 0 {
		ops = append(ops, fsop.Close{FD: "h"})
	}
	p.runtime = append(p.runtime, ops...)
}

// copyUpElsewhere copies f up (or replaces it) through another name or
// another descriptor than the held one.
func (p *patGen) copyUpElsewhere(f string) []fsop.Op {
	switch p.r.IntN(9) {
	case 0:
		return []fsop.Op{fsop.WriteFile{Path: f, Data: "rewritten\n", Mode: 0o644}}
	case 1:
		return []fsop.Op{fsop.Truncate{Path: f, Size: 2}}
	case 2:
		return []fsop.Op{fsop.Chmod{Path: f, Mode: 0o600}}
	case 3:
		return []fsop.Op{fsop.Chown{Path: f, UID: 1000, GID: 1000}}
	case 4:
		return []fsop.Op{fsop.Open{Path: f, Flags: unix.O_RDWR, FD: "w"}, fsop.WriteFD{FD: "w", Offset: 0, Data: "CHANGED"}, fsop.Close{FD: "w"}}
	case 5:
		return []fsop.Op{fsop.Link{Old: f, New: f + ".ln"}, fsop.Append{Path: f + ".ln", Data: "via the link\n"}}
	case 6:
		return []fsop.Op{fsop.Rename{From: f, To: f + ".mv"}, fsop.Append{Path: f + ".mv", Data: "after the rename\n"}}
	case 7:
		return []fsop.Op{fsop.Remove{Path: f}, fsop.WriteFile{Path: f, Data: "a new file\n", Mode: 0o644}}
	}
	return []fsop.Op{fsop.Append{Path: f, Data: "more\n"}}
}

// timed: the scenario compares times (strictatime one time in four), and
// a lower file, perhaps deep, and its directory are read, listed, changed,
// renamed and copied up in a random order; the remount that every
// scenario ends with compares them again.
func (p *patGen) timed() {
	p.times = scenario.TimesNoatime
	if p.r.IntN(4) == 0 {
		p.times = scenario.TimesStrictatime
	}
	f := p.lowerFile("timed")
	if p.r.IntN(3) == 0 { // deep: a copy-up copies the parents up too
		k := p.lowLayer()
		f = "tdir/sub/timed"
		p.layers[k] = append(p.layers[k], fsop.Mkdir{Path: "tdir", Mode: 0o755}, fsop.Mkdir{Path: "tdir/sub", Mode: 0o755},
			fsop.WriteFile{Path: f, Data: "deep\n", Mode: 0o644})
	}
	d := path.Dir(f)
	kinds := []func() fsop.Op{
		func() fsop.Op { return fsop.ReadFile{Path: f} },
		func() fsop.Op { return fsop.ListTwice{Path: d} },
		func() fsop.Op { return fsop.Chmod{Path: f, Mode: 0o600} },
		func() fsop.Op { return fsop.Chmod{Path: d, Mode: 0o750} },
		func() fsop.Op { return fsop.Append{Path: f, Data: "more\n"} },
		func() fsop.Op { return fsop.Rename{From: f, To: path.Join(d, "renamed")} },
		func() fsop.Op { return fsop.WriteFile{Path: path.Join(d, "child"), Data: "c\n", Mode: 0o644} },
		func() fsop.Op { return fsop.Link{Old: f, New: path.Join(d, "linked")} },
		func() fsop.Op { return fsop.Lchown{Path: f, UID: 1000, GID: 1000} },
		func() fsop.Op { a, m := fsop.LayerStamps(9); return fsop.Utimens{Path: f, Atime: a, Mtime: m} },
	}
	for range 2 + p.r.IntN(3) {
		p.runtime = append(p.runtime, kinds[p.r.IntN(len(kinds))]())
	}
}

// hardlinks: a hardlink group made in one layer and grown in another (or
// the base's own pair), then each name touched at runtime in turn.
func (p *patGen) hardlinks() {
	names := []string{"bin/tool", "bin/tool2"}
	a, b := p.twoLayers()
	if p.base["bin/tool2"] != "file" || p.r.IntN(3) != 0 {
		dir := p.baseOf("dir")
		if dir == "" || p.r.IntN(2) == 0 {
			dir = "."
		}
		names = []string{path.Join(dir, "hl"), path.Join(dir, "hl2")}
		p.layers[a] = append(p.layers[a], fsop.WriteFile{Path: names[0], Data: "linked\n", Mode: 0o644}, fsop.Link{Old: names[0], New: names[1]})
	}
	third := names[0] + "3"
	p.layers[b] = append(p.layers[b], fsop.Link{Old: names[0], New: third})
	if p.r.IntN(2) == 0 {
		p.layers[b] = append(p.layers[b], fsop.Append{Path: names[1], Data: "in layer b\n"})
	}
	names = append(names, third)
	p.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for _, n := range names {
		p.runtime = append(p.runtime, p.touch(n)...)
	}
}

// touch is an op through one name of a hardlink group.
func (p *patGen) touch(n string) []fsop.Op {
	switch p.r.IntN(9) {
	case 0:
		return []fsop.Op{fsop.Append{Path: n, Data: "via " + path.Base(n) + "\n"}}
	case 1:
		return []fsop.Op{fsop.Chmod{Path: n, Mode: 0o600}}
	case 2:
		return []fsop.Op{fsop.Chown{Path: n, UID: 1000, GID: 1000}}
	case 3:
		return []fsop.Op{fsop.Truncate{Path: n, Size: 1}}
	case 4:
		return []fsop.Op{fsop.Link{Old: n, New: n + ".x"}}
	case 5:
		return []fsop.Op{fsop.Remove{Path: n}}
	case 6:
		return []fsop.Op{fsop.Rename{From: n, To: n + ".r"}}
	case 7:
		return []fsop.Op{fsop.Open{Path: n, Flags: unix.O_RDWR, FD: "l"}, fsop.WriteFD{FD: "l", Offset: 0, Data: "W"}, fsop.FstatFD{FD: "l"}, fsop.Close{FD: "l"}}
	}
	return []fsop.Op{fsop.ReadFile{Path: n}}
}

// renamedDir: a directory whose entries come from several layers (the
// base's, or one a layer makes), grown and thinned in the layers above,
// renamed at runtime (to a new name, into another directory, over an
// empty one, or exchanged with another), then used under its new name.
func (p *patGen) renamedDir() {
	a, b := p.twoLayers()
	d := "md"
	if dd := p.baseOf("dir"); dd != "" && p.r.IntN(2) == 0 {
		d = dd
	} else {
		p.layers[a] = append(p.layers[a], fsop.Mkdir{Path: d, Mode: 0o755}, fsop.WriteFile{Path: d + "/a", Data: "a\n", Mode: 0o644})
	}
	p.layers[a] = append(p.layers[a], fsop.Mkdir{Path: d + "/sub", Mode: 0o755}, fsop.WriteFile{Path: d + "/sub/x", Data: "x\n", Mode: 0o644})
	p.layers[b] = append(p.layers[b], fsop.WriteFile{Path: d + "/b", Data: "b\n", Mode: 0o644})
	if p.r.IntN(2) == 0 {
		p.layers[b] = append(p.layers[b], fsop.RemoveAll{Path: d + "/sub"})
	}
	to := "moved"
	switch p.r.IntN(4) {
	case 0:
		if dir := p.baseOf("dir"); dir != "" && dir != d && !isUnder(dir, d) {
			to = path.Join(dir, "moved")
		}
		p.runtime = append(p.runtime, fsop.Rename{From: d, To: to})
	case 1:
		p.runtime = append(p.runtime, fsop.Mkdir{Path: to, Mode: 0o755}, fsop.Rename{From: d, To: to})
	case 2:
		p.runtime = append(p.runtime, fsop.Mkdir{Path: to, Mode: 0o700}, fsop.WriteFile{Path: to + "/e", Data: "e\n", Mode: 0o644},
			fsop.Rename{From: d, To: to, Flags: unix.RENAME_EXCHANGE})
	default:
		p.runtime = append(p.runtime, fsop.Rename{From: d, To: to})
	}
	after := []fsop.Op{fsop.ListTwice{Path: to}, fsop.Append{Path: to + "/b", Data: "more\n"}, fsop.WriteFile{Path: to + "/new", Data: "n\n", Mode: 0o644},
		fsop.Remove{Path: to + "/b"}, fsop.Mkdir{Path: d, Mode: 0o755}, fsop.Rename{From: to, To: d}, fsop.ReadFile{Path: to + "/sub/x"}, fsop.Chmod{Path: to, Mode: 0o700}}
	for range 1 + p.r.IntN(3) {
		p.runtime = append(p.runtime, after[p.r.IntN(len(after))])
	}
}

// isUnder reports whether p is q or lies beneath it.
func isUnder(p, q string) bool { return p == q || len(p) > len(q) && p[:len(q)+1] == q+"/" }
