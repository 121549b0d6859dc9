// Package fuzz generates random scenarios over the whole op vocabulary,
// runs them through the same loop as the suites, and shrinks each failure
// to a small scenario that still shows the same kind of finding.
package fuzz

import (
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Generator makes scenarios. Each scenario is a function of (Seed, index)
// and the generator's settings alone (depth, fixture, what the backend
// cannot run), so a run is reproducible whatever the number of workers.
// Its parts come from streams of their own (the random ops, the
// descriptor session, the pattern, the checks), each seeded by the seed
// and the index.
type Generator struct {
	Seed       uint64
	Depth      int
	Fixture    string            // the base tree's fixture name
	Base       map[string]string // path -> type of the base tree
	Identities []fsop.Identity   // who ops may run as (root first)
	// Offline allows offline changes of layer 0 between the runtime mount
	// and the remount (overlayfs allows them only when no redirect, index,
	// metacopy or xino was used).
	Offline bool
	// Runnable, if set, says whether the backend can run an op at all
	// (harness.Config.Lacks: a feature the session's probe found
	// missing); ops it cannot are left out of the scenario instead of
	// making the whole scenario a skip.
	Runnable func(fsop.Op) bool
	// NoTimes: the configuration compares no times (the extract builder
	// writes none), so no scenario asks for it (it would only skip).
	NoTimes bool
}

// model is the generator's idea of the reference tree: path -> type. It
// is rough on purpose (an op the model thinks valid may fail); outcomes
// come from the real run, the model only steers towards deep states.
type model map[string]string

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (m model) children(dir string) []string {
	var out []string
	for p := range m {
		if p != dir && path.Dir(p) == dir {
			out = append(out, p)
		}
	}
	return out
}

func (m model) removeTree(p string) {
	for q := range m {
		if q == p || strings.HasPrefix(q, p+"/") {
			delete(m, q)
		}
	}
}

// paths lists the model's paths of the given types (any if none), sorted
// so that choices depend on the seed only.
func (m model) paths(types ...string) []string {
	var out []string
	for p, t := range m {
		if p == "." {
			continue
		}
		if len(types) == 0 || slices.Contains(types, t) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// gen is the state of generating one scenario.
type gen struct {
	*Generator
	r     *rand.Rand
	m     model
	place string
	cov   map[string]int
}

// Scenario returns scenario i of the generator and the coverage it adds:
// op kind, where it ran, the type of what it acted on; the pattern and
// the checks it carries.
func (g *Generator) Scenario(i int) (scenario.Scenario, map[string]int) {
	s := &gen{Generator: g, r: rand.New(rand.NewPCG(g.Seed, uint64(i))), m: model(g.Base).clone(), cov: map[string]int{}}
	sc := scenario.Scenario{Name: fmt.Sprintf("seed=%d/n=%d", g.Seed, i), Suite: "fuzz", Fixture: g.Fixture}
	for k := 1; k < g.Depth; k++ {
		if g.Depth > 6 && s.r.IntN(g.Depth) > 4 {
			continue // deep stacks: most layers stay empty, a few carry ops
		}
		if s.r.IntN(2) == 0 {
			continue
		}
		s.place = fmt.Sprintf("layer %d", k)
		sc.Steps = append(sc.Steps, scenario.AtLayer(k, s.ops(1+s.r.IntN(3))...))
	}
	s.place = "runtime"
	runtime := s.ops(1 + s.r.IntN(5))
	runtime = append(runtime, g.descriptorSession(i, s.m.clone(), s.cov)...) // gen_fd.go
	sc.Steps = append(sc.Steps, scenario.Runtime(runtime...))
	if name, p := g.pattern(i); p != nil { // patterns.go; before the offline step, which keeps away from what they name
		p.apply(&sc)
		s.cov["pattern "+name]++
	}
	if g.Offline && s.r.IntN(8) == 0 {
		s.place = "offline"
		var ops []fsop.Op
		var free []string
		for _, p := range model(g.Base).paths("dir", "file") {
			if !touched(sc.Steps, p) {
				free = append(free, p)
			}
		}
		for _, p := range pick(s.r, free, 1+s.r.IntN(2)) {
			ops = append(ops, s.metaOp(p))
		}
		if len(ops) > 0 {
			sc.Steps = append(sc.Steps, scenario.OfflineAt(0, ops...))
		}
	}
	g.checks(i, &sc, s.cov) // checks.go
	return sc, s.cov
}

func pick(r *rand.Rand, xs []string, n int) []string {
	var out []string
	for i := 0; i < n && len(xs) > 0; i++ {
		out = append(out, xs[r.IntN(len(xs))])
	}
	return out
}

var (
	modes   = []uint32{0o644, 0o600, 0o755, 0o700, 0o000, 0o640, 0o750, 0o4755, 0o2755, 0o1777, 0o2770, 0o444}
	ids     = []int{0, 1000, 1001, 1002, -1}
	names   = []string{"a", "b", "c", "new"}
	xattrs  = []string{"user.a", "user.b", "user.c"}
	payload = []string{"", "x", "hello\n", "a longer line of data\n"}
)

// ops makes n ops, updating the model as if each succeeded.
func (s *gen) ops(n int) []fsop.Op {
	out := make([]fsop.Op, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, s.op())
	}
	return out
}

// existing picks a path of the model of one of types, or now and then a
// path that does not exist (so that errno parity is tested too).
func (s *gen) existing(types ...string) string {
	ps := s.m.paths(types...)
	if len(ps) == 0 || s.r.IntN(12) == 0 {
		return s.fresh()
	}
	return ps[s.r.IntN(len(ps))]
}

// fresh picks a new name in an existing directory.
func (s *gen) fresh() string {
	dirs := s.m.paths("dir")
	dir := "."
	if len(dirs) > 0 && s.r.IntN(4) != 0 {
		dir = dirs[s.r.IntN(len(dirs))]
	}
	name := names[s.r.IntN(len(names))]
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

func (s *gen) by() fsop.By {
	if len(s.Identities) < 2 || s.r.IntN(10) < 7 {
		return fsop.By{}
	}
	return fsop.By{As: s.Identities[1+s.r.IntN(len(s.Identities)-1)]}
}

func (s *gen) note(kind, p string) {
	t := s.m[p]
	if t == "" {
		t = "absent"
	}
	s.cov[kind+" @ "+placeClass(s.place)+" on "+t]++
}

// placeClass folds layer numbers: coverage is by kind of place.
func placeClass(place string) string {
	if strings.HasPrefix(place, "layer") {
		return "layer"
	}
	return place
}

// metaOp changes metadata only: chmod, chown or an xattr.
func (s *gen) metaOp(p string) fsop.Op {
	switch s.r.IntN(3) {
	case 0:
		s.note("chmod", p)
		return fsop.Chmod{Path: p, Mode: modes[s.r.IntN(len(modes))]}
	case 1:
		s.note("chown", p)
		return fsop.Chown{Path: p, UID: ids[s.r.IntN(len(ids))], GID: ids[s.r.IntN(len(ids))]}
	}
	s.note("setxattr", p)
	return fsop.SetXattr{Path: p, Name: xattrs[s.r.IntN(len(xattrs))], Value: payload[1+s.r.IntN(len(payload)-1)]}
}

// op makes one random op and updates the model.
func (s *gen) op() fsop.Op {
	by := s.by()
	switch s.r.IntN(18) {
	case 0, 1:
		p := s.existing("file", "dir", "fifo")
		s.note("chmod", p)
		return fsop.Chmod{Path: p, Mode: modes[s.r.IntN(len(modes))], By: by}
	case 2:
		p := s.existing()
		s.note("chown", p)
		return fsop.Chown{Path: p, UID: ids[s.r.IntN(len(ids))], GID: ids[s.r.IntN(len(ids))], By: by}
	case 3:
		p := s.existing("symlink", "file")
		s.note("lchown", p)
		return fsop.Lchown{Path: p, UID: ids[s.r.IntN(len(ids))], GID: ids[s.r.IntN(len(ids))], By: by}
	case 4:
		return s.removeOp(by)
	case 5:
		p := s.existing("dir")
		s.note("remove-all", p)
		s.m.removeTree(p)
		return fsop.RemoveAll{Path: p, By: by}
	case 6, 7:
		return s.renameOp(by)
	case 8, 9:
		return s.writeOp(by)
	case 10:
		p := s.existing("file")
		s.note("append", p)
		return fsop.Append{Path: p, Data: payload[1+s.r.IntN(len(payload)-1)], By: by}
	case 11:
		p := s.existing("file")
		s.note("truncate", p)
		return fsop.Truncate{Path: p, Size: int64(s.r.IntN(4)), By: by}
	case 12:
		p := s.fresh()
		s.note("mkdir", p)
		s.create(p, "dir")
		return fsop.Mkdir{Path: p, Mode: modes[s.r.IntN(len(modes))], By: by}
	case 13:
		return s.newNameOp(by)
	case 14:
		p := s.existing()
		s.note("setxattr", p)
		return fsop.SetXattr{Path: p, Name: xattrs[s.r.IntN(len(xattrs))], Value: payload[1+s.r.IntN(len(payload)-1)], By: by}
	case 15:
		p := s.existing()
		s.note("utimens", p)
		return fsop.Utimens{Path: p, Atime: s.stamp(), Mtime: s.stamp(), NoFollow: s.r.IntN(2) == 0, By: by}
	case 16:
		p := s.existing("file")
		s.note("read", p)
		return fsop.ReadFile{Path: p, By: by}
	}
	p := s.existing()
	s.note("removexattr", p)
	return fsop.RemoveXattr{Path: p, Name: xattrs[s.r.IntN(len(xattrs))], By: by}
}

// removeOp is op's remove of a name (a directory only leaves the model
// when it is empty: the remove fails otherwise).
func (s *gen) removeOp(by fsop.By) fsop.Op {
	p := s.existing("file", "symlink", "fifo", "dir")
	s.note("remove", p)
	if t := s.m[p]; t != "dir" || len(s.m.children(p)) == 0 {
		delete(s.m, p)
	}
	return fsop.Remove{Path: p, By: by}
}

// renameOp is op's rename: to a fresh or an existing name, with
// RENAME_NOREPLACE or RENAME_EXCHANGE a third of the time.
func (s *gen) renameOp(by fsop.By) fsop.Op {
	from := s.existing()
	to := s.fresh()
	if s.r.IntN(3) == 0 {
		to = s.existing()
	}
	var flags uint
	switch s.r.IntN(6) {
	case 0:
		flags = unix.RENAME_NOREPLACE
	case 1:
		flags = unix.RENAME_EXCHANGE
	}
	s.note("rename", from)
	s.rename(from, to, flags)
	return fsop.Rename{From: from, To: to, Flags: flags, By: by}
}

// writeOp is op's write of an existing file or a fresh name.
func (s *gen) writeOp(by fsop.By) fsop.Op {
	p := s.existing("file")
	if s.r.IntN(2) == 0 {
		p = s.fresh()
	}
	s.note("write", p)
	if s.m[p] == "" && s.m[path.Dir(p)] == "dir" || path.Dir(p) == "." && s.m[p] == "" {
		s.m[p] = "file"
	}
	return fsop.WriteFile{Path: p, Data: payload[s.r.IntN(len(payload))], Mode: modes[s.r.IntN(7)], By: by}
}

// newNameOp is op's new name: a symlink, a hardlink or a fifo.
func (s *gen) newNameOp(by fsop.By) fsop.Op {
	p := s.fresh()
	kind := s.r.IntN(3)
	switch kind {
	case 0:
		target := s.existing()
		s.note("symlink", p)
		s.create(p, "symlink")
		return fsop.Symlink{Target: target, Path: p, By: by}
	case 1:
		old := s.existing("file", "symlink", "fifo")
		s.note("link", old)
		if t := s.m[old]; t != "" && t != "dir" {
			s.create(p, t)
		}
		return fsop.Link{Old: old, New: p, By: by}
	}
	s.note("mkfifo", p)
	s.create(p, "fifo")
	return fsop.Mkfifo{Path: p, Mode: modes[s.r.IntN(4)], By: by}
}

func (s *gen) create(p, t string) {
	if s.m[p] == "" && (path.Dir(p) == "." || s.m[path.Dir(p)] == "dir") {
		s.m[p] = t
	}
}

// rename moves from (and its subtree) to to in the model, roughly as
// rename(2) would when it succeeds.
func (s *gen) rename(from, to string, flags uint) {
	ft, tt := s.m[from], s.m[to]
	if ft == "" || from == to || strings.HasPrefix(to, from+"/") {
		return
	}
	if flags == unix.RENAME_NOREPLACE && tt != "" || flags == unix.RENAME_EXCHANGE && tt == "" {
		return
	}
	moved := model{}
	for q, t := range s.m {
		if q == from || strings.HasPrefix(q, from+"/") {
			moved[to+strings.TrimPrefix(q, from)] = t
		}
	}
	if flags == unix.RENAME_EXCHANGE {
		back := model{}
		for q, t := range s.m {
			if q == to || strings.HasPrefix(q, to+"/") {
				back[from+strings.TrimPrefix(q, to)] = t
			}
		}
		s.m.removeTree(from)
		s.m.removeTree(to)
		for q, t := range back {
			s.m[q] = t
		}
	} else {
		if tt == "dir" && len(s.m.children(to)) > 0 || tt != "" && (tt == "dir") != (ft == "dir") {
			return
		}
		s.m.removeTree(from)
		s.m.removeTree(to)
	}
	for q, t := range moved {
		s.m[q] = t
	}
}

// stamp is a time for Utimens: a known explicit one, now or omit.
func (s *gen) stamp() fsop.Stamp {
	switch s.r.IntN(3) {
	case 0:
		return fsop.Now
	case 1:
		return fsop.Omit
	}
	a, _ := fsop.LayerStamps(7 + s.r.IntN(3))
	return a
}
