package openfiles

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// The open(2) flag matrix, generated: every access mode crossed with every
// meaningful combination of O_CREAT, O_EXCL (only with O_CREAT), O_TRUNC,
// O_APPEND, O_DIRECTORY and O_NOFOLLOW, and O_PATH with the flags it takes,
// over every kind of target, as root and as a user who owns nothing. Each
// case opens its own copy of the target (named after the case), so that no
// case sees what another created or truncated; it opens, fstats what it
// got (type, mode, owner, size), and closes. The errno of every open, the
// fstat, and the tree afterwards (created? truncated? copied up by an open
// that failed: the failed-op check) are compared with the plain copy.
//
// One scenario per target, identity and access mode; the targets are made
// in layer 1 (and at runtime, for what the upper holds), in the directory
// mx of the mini fixture.

// matrixDir holds every target; anyone may create in it.
const matrixDir = "mx"

// target is a kind of thing an open names: made for case i by the ops of
// the layer and of the runtime, and named by path(i).
type target struct {
	name    string
	layer   func(i int) []fsop.Op
	runtime func(i int) []fsop.Op
	path    func(i int) string
}

// at names the case's entry of a kind.
func at(kind string, i int) string { return fmt.Sprintf("%s/%s-%d", matrixDir, kind, i) }

func file(p, data string) fsop.Op { return fsop.WriteFile{Path: p, Data: data, Mode: 0o644} }
func dir(p string) fsop.Op        { return fsop.Mkdir{Path: p, Mode: 0o755} }
func link(to, p string) fsop.Op   { return fsop.Symlink{Target: to, Path: p} }
func base(p string) string        { return p[strings.LastIndex(p, "/")+1:] }

// targets lists the kinds: files, directories and symlinks of a layer and
// of the upper, merged directories, chains, dangling symlinks, missing and
// whited-out names, and trailing slashes.
func targets() []target {
	none := func(int) []fsop.Op { return nil }
	self := func(kind string) func(int) string { return func(i int) string { return at(kind, i) } }
	// symlinkTo: a symlink made in the layer to an entry made by mk (in the
	// layer, or at runtime when upper is set).
	symlinkTo := func(kind string, upper bool, mk func(p string) []fsop.Op) target {
		t := target{name: kind, path: self(kind), runtime: none}
		t.layer = func(i int) []fsop.Op {
			ops := []fsop.Op{link(base(at(kind+"-t", i)), at(kind, i))}
			if !upper {
				ops = append(ops, mk(at(kind+"-t", i))...)
			}
			return ops
		}
		if upper {
			t.runtime = func(i int) []fsop.Op { return mk(at(kind+"-t", i)) }
		}
		return t
	}
	lowerFile := func(p string) []fsop.Op { return []fsop.Op{file(p, "lower\n")} }
	upperFile := func(p string) []fsop.Op { return []fsop.Op{file(p, "upper\n")} }
	lowerDir := func(p string) []fsop.Op { return []fsop.Op{dir(p)} }
	mergedDir := func(p string) []fsop.Op { return []fsop.Op{dir(p), file(p+"/a", "a\n")} }
	return []target{
		{name: "lower-file", layer: func(i int) []fsop.Op { return lowerFile(at("lower-file", i)) }, runtime: none, path: self("lower-file")},
		{name: "upper-file", layer: none, runtime: func(i int) []fsop.Op { return upperFile(at("upper-file", i)) }, path: self("upper-file")},
		{name: "lower-dir", layer: func(i int) []fsop.Op { return lowerDir(at("lower-dir", i)) }, runtime: none, path: self("lower-dir")},
		{name: "merged-dir", layer: func(i int) []fsop.Op { return mergedDir(at("merged-dir", i)) },
			runtime: func(i int) []fsop.Op { return []fsop.Op{file(at("merged-dir", i)+"/b", "b\n")} }, path: self("merged-dir")},
		symlinkTo("symlink-lower-file", false, lowerFile),
		symlinkTo("symlink-upper-file", true, upperFile),
		symlinkTo("symlink-lower-dir", false, lowerDir),
		symlinkTo("symlink-merged-dir", false, mergedDir),
		symlinkTo("symlink-chain", false, func(p string) []fsop.Op {
			return []fsop.Op{link(base(p)+"-2", p), file(p+"-2", "end of chain\n")}
		}),
		{name: "dangling-symlink", layer: func(i int) []fsop.Op { return []fsop.Op{link(fmt.Sprintf("nowhere-%d", i), at("dangling-symlink", i))} },
			runtime: none, path: self("dangling-symlink")},
		{name: "missing", layer: none, runtime: none, path: self("missing")},
		{name: "whiteout", layer: func(i int) []fsop.Op { return lowerFile(at("whiteout", i)) },
			runtime: func(i int) []fsop.Op { return []fsop.Op{fsop.Remove{Path: at("whiteout", i)}} }, path: self("whiteout")},
		{name: "slash-file", layer: func(i int) []fsop.Op { return lowerFile(at("slash-file", i)) }, runtime: none,
			path: func(i int) string { return at("slash-file", i) + "/" }},
		{name: "slash-dir", layer: func(i int) []fsop.Op { return lowerDir(at("slash-dir", i)) }, runtime: none,
			path: func(i int) string { return at("slash-dir", i) + "/" }},
		{name: "slash-missing", layer: none, runtime: none, path: func(i int) string { return at("slash-missing", i) + "/" }},
	}
}

// accessModes are the groups of the matrix: each access mode with every
// flag combination, and O_PATH with the flags it takes (and one it does not).
var accessModes = []struct {
	name  string
	flags []int
}{
	{"rdonly", flagCombos(unix.O_RDONLY)},
	{"wronly", flagCombos(unix.O_WRONLY)},
	{"rdwr", flagCombos(unix.O_RDWR)},
	{"path", combos(unix.O_PATH, []int{unix.O_DIRECTORY, unix.O_NOFOLLOW, unix.O_CREAT})}, // open(2) drops O_CREAT
}

// flagCombos: acc times every subset of O_TRUNC, O_APPEND, O_DIRECTORY and
// O_NOFOLLOW, then with O_CREAT and with O_CREAT|O_EXCL times every subset
// of the others but O_DIRECTORY (O_EXCL alone is undefined, and Linux
// refuses O_CREAT|O_DIRECTORY with EINVAL before it looks at anything):
// 32 cases.
func flagCombos(acc int) []int {
	out := combos(acc, []int{unix.O_TRUNC, unix.O_APPEND, unix.O_DIRECTORY, unix.O_NOFOLLOW})
	for _, c := range []int{unix.O_CREAT, unix.O_CREAT | unix.O_EXCL} {
		out = append(out, combos(acc|c, []int{unix.O_TRUNC, unix.O_APPEND, unix.O_NOFOLLOW})...)
	}
	return out
}

// combos is base with every subset of bits.
func combos(base int, bits []int) []int {
	out := make([]int, 0, 1<<len(bits))
	for m := 0; m < 1<<len(bits); m++ {
		f := base
		for i, b := range bits {
			if m&(1<<i) != 0 {
				f |= b
			}
		}
		out = append(out, f)
	}
	return out
}

// matrixIdentities: root, and a user who owns nothing in the tree.
var matrixIdentities = []fsop.Identity{fsop.Root, other}

// Matrix returns the flag matrix's scenarios; MatrixCases counts its opens.
func Matrix() []scenario.Scenario {
	var out []scenario.Scenario
	for _, t := range targets() {
		for _, id := range matrixIdentities {
			for _, acc := range accessModes {
				out = append(out, matrixScenario(t, id, acc.name, acc.flags))
			}
		}
	}
	return out
}

// matrixScenario is one target, identity and access mode: its cases.
func matrixScenario(t target, id fsop.Identity, acc string, flags []int) scenario.Scenario {
	layer := []fsop.Op{fsop.Mkdir{Path: matrixDir, Mode: 0o777}, fsop.Chmod{Path: matrixDir, Mode: 0o777}}
	var setup, cases []fsop.Op
	for i, f := range flags {
		layer = append(layer, t.layer(i)...)
		setup = append(setup, t.runtime(i)...)
		fd := fmt.Sprintf("c%d", i)
		cases = append(cases, fsop.Open{Path: t.path(i), Flags: f, Mode: 0o640, FD: fd, By: fsop.By{As: id}},
			fsop.FstatFD{FD: fd}, fsop.Close{FD: fd})
	}
	return scenario.Scenario{
		Name:    fmt.Sprintf("open-matrix/%s/%s/%s", t.name, id.String(), acc),
		Doc:     fmt.Sprintf("open(2) of a %s as %s, %s with every flag combination: the errno, what was opened and the tree afterwards are the plain copy's", t.name, id, acc),
		Fixture: "mini",
		Steps:   []scenario.Step{scenario.AtLayer(1, layer...), scenario.Runtime(append(setup, cases...)...)},
		Labels:  []string{"open-matrix", t.name, acc},
	}
}

// MatrixCases is the number of opens the matrix makes.
func MatrixCases() int {
	n := 0
	for _, acc := range accessModes {
		n += len(acc.flags)
	}
	return n * len(targets()) * len(matrixIdentities)
}
