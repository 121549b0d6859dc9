package repro

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Repro writes a standalone POSIX sh script that replays a scenario result
// on the same backend: it builds the base tree and the layers in a fresh
// mktemp directory, mounts as the run did, applies every op to the merged
// view and to a plain reference copy, and checks each unexpected finding
// again, printing what the reference says and what the merged view shows.
// It exits 1 when a deviation shows, 0 when none does, 2 when it cannot set
// up, and removes everything it made. It needs coreutils, util-linux
// (mount, setpriv), attr (getfattr, setfattr) and perl (rename(2) itself:
// mv would hide an EXDEV by copying).
func Repro(cfg harness.Config, res harness.Result) (string, error) {
	if res.Scenario.Check != nil { // check.go: a scenario that is its own procedure
		return checkRepro(res), nil
	}
	g, err := newGen(cfg, res)
	if err != nil {
		return "", err
	}
	g.setup(cfg)
	g.layers()
	g.runtime()
	g.offline()
	g.remount()
	g.w.WriteString(`
if [ "$fail" -ne 0 ]; then echo "reproduced: the merged view deviates from the plain copy"; exit 1; fi
echo "not reproduced"; exit 0
`)
	return withRetries(g.w.String(), res), nil // retry.go
}

// gen is the writing of one script: the result, its backend's shell
// commands, the layer directories and the ops not yet written.
type gen struct {
	w          *scriptWriter
	res        harness.Result
	sm         backend.ShellMounter
	base       *scenario.Base
	dirs       []string // l0 (bottom) .. l<depth-1>
	unexpected []snapshot.Finding
	ops        []harness.OpRecord
	// split: the layers are split into metadata and data-only objects
	// (dataonly.go); sealed counts those split so far (bottom first),
	// data lists their objects, which every mount gets.
	split  bool
	sealed int
	data   []string
	// nested: the runtime mount's lower is an overlay of the layers (nested.go)
	nested bool
}

// newGen checks that the result can be replayed from sh at all.
func newGen(cfg harness.Config, res harness.Result) (*gen, error) {
	if cfg.Extracting() {
		// The script builds layers through mounts; layers written by
		// extract.go would not be the ones that showed the finding.
		return nil, fmt.Errorf("layers were written by the %s builder; a script builds them through mounts", cfg.Build)
	}
	sm, ok := cfg.Backend.(backend.ShellMounter)
	if !ok {
		return nil, fmt.Errorf("backend %s cannot be driven from a shell script", cfg.Backend.Name())
	}
	base := cfg.Bases[res.Scenario.FixtureName()]
	if base == nil {
		return nil, fmt.Errorf("no base %q", res.Scenario.FixtureName())
	}
	if len(base.Shell) == 0 { // the base's own directory is gone with the run
		return nil, fmt.Errorf("base %q has no shell lines to rebuild it", base.Name)
	}
	if cfg.IdmapByBackend() {
		sm = rawSideMounter{sm} // idmap.go
	}
	g := &gen{w: &scriptWriter{}, res: res, sm: sm, base: base, unexpected: res.Unexpected(), ops: res.Ops, split: dataOnly(cfg), nested: nested(cfg)}
	g.dirs = make([]string, cfg.Depth)
	for k := range g.dirs {
		g.dirs[k] = fmt.Sprintf("l%d", k)
	}
	return g, nil
}

// next takes the next recorded op if it belongs to phase.
func (g *gen) next(phase string) (harness.OpRecord, bool) {
	if len(g.ops) > 0 && g.ops[0].Stage == phase {
		r := g.ops[0]
		g.ops = g.ops[1:]
		return r, true
	}
	return harness.OpRecord{}, false
}

// setup writes the header, the directories, the base tree and the
// reference copy.
func (g *gen) setup(cfg harness.Config) {
	w := g.w
	w.header(cfg, g.res, g.base)
	made := w.idmapSetup(cfg, g.dirs) // idmap.go: what lies on the other side of the mapping
	var dirs []string
	for _, d := range append(append([]string{}, g.dirs...), "m", "u", "wu", "ref") {
		if !made[d] {
			dirs = append(dirs, d)
		}
	}
	w.printf("mkdir %s || exit 2\n", strings.Join(dirs, " "))
	w.printf("(cd l0 && set -e\n")
	for _, l := range g.base.Shell {
		w.printf("  %s\n", l)
	}
	w.printf(") >/dev/null || { echo 'setup: could not build the base tree'; exit 2; }\n")
	w.printf("cp -a l0/. ref/ || exit 2\n\n")
	if g.split {
		w.WriteString(splitLayerShell) // dataonly.go
	}
}

// layers writes the layer steps: layer 0 changed directly, the others
// built through a mount of the layers below.
func (g *gen) layers() {
	w := g.w
	for _, st := range g.res.Scenario.Steps {
		if st.Phase != scenario.PhaseLayer {
			continue
		}
		phase := fmt.Sprintf("layer %d", st.Layer)
		if st.Layer == 0 {
			w.printf("# layer 0: changed directly, as the base\n")
			for rec, ok := g.next(phase); ok; rec, ok = g.next(phase) {
				w.printf("plain l0 %s\n", fsop.Quote(rec.Op))
			}
			continue
		}
		w.printf("# layer %d: built through a mount of layers %d..0\n", st.Layer, st.Layer-1)
		g.sealBelow(st.Layer) // dataonly.go
		work := fmt.Sprintf("w%d", st.Layer)
		w.printf("mkdir -p %s\n", work)
		w.printf("%s || exit 2\n", g.sm.MountShell(backend.MountSpec{Lowers: backend.TopFirst(g.dirs[:st.Layer]), Data: g.data, Upper: g.dirs[st.Layer], Work: work, Target: "m"}))
		w.replay(phase, drain(g.next, phase), phaseOps(g.res.Scenario, scenario.PhaseLayer, st.Layer)) // fdrun.go
		w.printf("%s\n\n", g.sm.UnmountShell("m"))
	}
}

// runtime writes the runtime mount, its ops and the checks of the
// findings of the runtime phase.
func (g *gen) runtime() {
	w := g.w
	w.printf("# runtime: every layer as a lower, a fresh upper\n")
	g.sealBelow(len(g.dirs))
	lowers := g.runtimeLowers() // nested.go
	w.printf("%s || exit 2\n", g.sm.MountShell(backend.MountSpec{Lowers: lowers, Data: g.data, Upper: "u", Work: "wu", Target: "m"}))
	w.replay("runtime", drain(g.next, "runtime"), phaseOps(g.res.Scenario, scenario.PhaseRuntime, 0))
	for i, f := range g.unexpected {
		if f.Stage == "runtime" {
			w.check(g.base, f, "ref", "m")
		}
		if f.Kind == snapshot.KindPersistence {
			w.printf("before_%d=$(%s)\n", i, valueCmd(g.base, f, "m"))
		}
	}
	w.printf("%s\n", g.sm.UnmountShell("m"))
	g.unmountInner()
	w.printf("\n")
}

// offline writes the changes made while nothing is mounted.
func (g *gen) offline() {
	for _, st := range g.res.Scenario.Steps {
		if st.Phase != scenario.PhaseOffline {
			continue
		}
		dir := "u"
		if st.Layer != scenario.Upper {
			dir = g.dirs[st.Layer]
		}
		g.w.printf("# offline: changed while nothing is mounted\n")
		for _, op := range st.Ops {
			g.next("offline " + map[bool]string{true: "upper", false: fmt.Sprintf("layer %d", st.Layer)}[st.Layer == scenario.Upper])
			g.w.printf("plain %s %s\n", dir, fsop.Quote(op.Shell()))
		}
	}
}

// remount writes the remount and the checks of what must persist and of
// the findings of the remount phase.
func (g *gen) remount() {
	w := g.w
	w.printf("# remount\n")
	lowers := g.runtimeLowers()
	w.printf("%s || exit 2\n", g.sm.MountShell(backend.MountSpec{Lowers: lowers, Data: g.data, Upper: "u", Work: "wu", Target: "m"}))
	for i, f := range g.unexpected {
		switch {
		case f.Kind == snapshot.KindPersistence:
			w.printf("same %s \"$before_%d\" \"$(%s)\"\n", fsop.Quote(f.Path+": "+f.Field+" before and after the remount"), i, valueCmd(g.base, f, "m"))
		case f.Stage == "remount":
			w.check(g.base, f, "ref", "m")
		}
	}
	w.printf("%s\n", g.sm.UnmountShell("m"))
	g.unmountInner()
}

type scriptWriter struct{ strings.Builder }

func (w *scriptWriter) printf(format string, args ...any) { fmt.Fprintf(w, format, args...) }

func (w *scriptWriter) header(cfg harness.Config, res harness.Result, base *scenario.Base) {
	w.printf("#!/bin/sh\n# layercheck reproducer: %s\n", res.Name)
	w.printf("# backend %s, options %q, depth %d, base %s\n", cfg.Backend.Name(), cfg.Backend.Options(), cfg.Depth, base.Name)
	w.printf("# What the run saw:\n")
	for _, f := range res.Findings {
		tag := "unexpected"
		if f.Expected() {
			tag = "expected: " + f.Expectation
		}
		w.printf("#   [%s] %s\n", tag, strings.ReplaceAll(f.String(), "\n", " "))
	}
	w.WriteString(`# Run as root: sh THIS_FILE. Exit 1: the deviation shows; 0: it does not;
# 2: could not set up. Needs coreutils, util-linux, attr, perl.
set -u
S=$(mktemp -d "${TMPDIR:-/tmp}/layercheck-repro.XXXXXX") || exit 2
cleanup() { cd /; umount "$S/m" 2>/dev/null; umount "$S/n" 2>/dev/null; rm -rf "$S"; }
trap cleanup EXIT
trap 'exit 2' INT TERM
cd "$S" || exit 2
fail=0
# both LINE: run LINE in the merged view and in the reference; report a
# different outcome (exit status or message).
both() {
	mo=$(cd m && eval "$1" 2>&1); ms=$?
	ro=$(cd ref && eval "$1" 2>&1); rs=$?
	if { [ "$ms" -ne 0 ] && [ "$rs" -ne 0 ] && [ "$mo" = "$ro" ]; } || { [ "$ms" -eq 0 ] && [ "$rs" -eq 0 ]; }; then
		echo "same      $1"
	else
		echo "DEVIATION $1"; echo "          reference: status $rs $ro"; echo "          merged:    status $ms $mo"; fail=1
	fi
}
# merged_only LINE: the backend refuses LINE in a documented way; the
# reference follows it and skips LINE too.
merged_only() { mo=$(cd m && eval "$1" 2>&1); echo "documented: $1 -> status $? $mo"; }
# plain DIR LINE: LINE on a layer directory (or the upper) and on the reference.
plain() { (cd "$1" && eval "$2") >/dev/null 2>&1; (cd ref && eval "$2") >/dev/null 2>&1; }
# check WHAT REFERENCE MERGED
check() {
	if [ "$2" = "$3" ]; then echo "same      $1: $2"; else echo "DEVIATION $1: reference $2, merged $3"; fail=1; fi
}
same() { check "$@"; }
v_entry() { if [ -e "$1" ] || [ -L "$1" ]; then stat -c %F -- "$1"; else echo absent; fi; }
v_stat() { stat -c "$1" -- "$2" 2>/dev/null || echo absent; }
v_data() { if [ -f "$1" ]; then sha256sum < "$1" | cut -c1-24; else echo absent; fi; }
v_target() { readlink -- "$1" 2>/dev/null || echo absent; }
v_xattr() { getfattr -h --absolute-names --only-values -n "$1" -- "$2" 2>/dev/null || echo absent; }
v_links() { p=$1; shift; out=""; for q in "$@"; do [ "$p" -ef "$q" ] && out="$out ${q#*/}"; done; echo "linked to:${out:- none}"; }
v_access() { $1 sh -c 'r=-; w=-; x=-; test -r "$1" && r=r; test -w "$1" && w=w; test -x "$1" && x=x; echo "$r$w$x"' - "$2"; }
v_listed() { ls -a -- "$1" 2>/dev/null | grep -Fxc -- "$2"; }
umask 0

`)
	w.WriteString(bothPerlShell) // fdrun.go
}

// op writes the replay of one recorded op.
func (w *scriptWriter) op(rec harness.OpRecord) {
	if rec.Reference == "skipped" {
		w.printf("merged_only %s\n", fsop.Quote(rec.Op))
		return
	}
	w.printf("both %s\n", fsop.Quote(rec.Op))
}

// check writes a comparison of the finding's value in two trees.
func (w *scriptWriter) check(base *scenario.Base, f snapshot.Finding, ref, merged string) {
	if f.Kind == snapshot.KindErrno || f.Kind == snapshot.KindCrash {
		return // the op replay itself compares outcomes
	}
	if f.Kind == snapshot.KindFailedOpCopyUp {
		w.failedOpCheck(f) // idmap.go
		return
	}
	if f.Kind == snapshot.KindInode && f.Field == snapshot.InodeDIno {
		w.dinoCheck(f, merged) // inode.go
		return
	}
	rc, mc := valueCmd(base, f, ref), valueCmd(base, f, merged)
	if rc == "" {
		w.printf("# not checked from sh: %s\n", f)
		return
	}
	w.printf("check %s \"$(%s)\" \"$(%s)\"\n", fsop.Quote(f.Path+": "+string(f.Kind)+" "+f.Field), rc, mc)
}

// valueCmd is a shell command that prints the finding's field of its path
// in the tree at dir, or "" when sh cannot observe it.
func valueCmd(base *scenario.Base, f snapshot.Finding, dir string) string {
	p := fsop.Quote(dir + "/" + f.Path)
	field := f.Field
	if f.Kind == snapshot.KindPersistence || f.Kind == snapshot.KindLowerModified {
		field = strings.TrimPrefix(field, strings.SplitN(field, " ", 2)[0]+" ")
	}
	switch {
	case f.Kind == snapshot.KindAccess:
		for _, id := range base.Identities {
			if id.String() == f.Field {
				prefix := strings.TrimSuffix(id.ShellPrefix(), "-- ")
				if prefix == "" {
					prefix = "env"
				}
				return fmt.Sprintf("v_access %s %s", fsop.Quote(prefix+" --"), p)
			}
		}
		return ""
	case f.Kind == snapshot.KindInvariant && f.Field == "listed":
		return fmt.Sprintf("v_listed %s %s", fsop.Quote(dir+"/"+path.Dir(f.Path)), fsop.Quote(path.Base(f.Path)))
	case f.Kind == snapshot.KindInvariant && f.Field == "lookup":
		return fmt.Sprintf("v_listed %s %s; v_entry %s", fsop.Quote(dir+"/"+path.Dir(f.Path)), fsop.Quote(path.Base(f.Path)), p)
	case f.Kind == snapshot.KindInvariant && f.Field == "readdir" && strings.HasPrefix(f.Reference, "lists "):
		// "." or ".." missing from a directory's listing
		return fmt.Sprintf("v_listed %s %s", p, fsop.Quote(strings.Trim(strings.TrimPrefix(f.Reference, "lists "), `"`)))
	case f.Kind == snapshot.KindInvariant || f.Kind == snapshot.KindLowerModified:
		return ""
	case field == "entry" || field == "type" || field == "rdev":
		return "v_entry " + p
	case field == "mode":
		return "v_stat %a " + p
	case field == "uid":
		return "v_stat %u " + p
	case field == "gid":
		return "v_stat %g " + p
	case field == "nlink":
		return "v_stat %h " + p
	case (field == "mtime" || field == "atime") && exactTimes(f): // times.go
		return "v_stat " + map[string]string{"mtime": "%y", "atime": "%x"}[field] + " " + p
	case field == "data":
		return "v_data " + p
	case field == "target":
		return "v_target " + p
	case strings.HasPrefix(field, "xattrs:"):
		return fmt.Sprintf("v_xattr %s %s", fsop.Quote(strings.TrimPrefix(field, "xattrs:")), p)
	case field == "links":
		var names []string
		for _, q := range strings.Split(f.Reference+", "+f.Merged, ", ") {
			if n := fsop.Quote(dir + "/" + q); q != "" && q != "none" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		return fmt.Sprintf("v_links %s %s", p, strings.Join(names, " "))
	}
	return ""
}
