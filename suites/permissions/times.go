package permissions

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Explicit times the scenarios set (known values: before fsop.KnownTimesEnd,
// with nanoseconds).
var (
	stampA = fsop.Stamp{Sec: 1234567890, Nsec: 987654321}
	stampM = fsop.Stamp{Sec: 1300000000, Nsec: 1}
)

// timeOp is an op that copies up the entry it names, by name.
type timeOp struct {
	name string
	op   fsop.Op
}

// copyUpOps are the ops that copy t up: each must leave the times a plain
// filesystem leaves (a chmod, chown or setxattr moves ctime only; a write
// moves mtime; a rename or link moves the parents' mtime and the entry's
// ctime; a child created moves its directory's mtime), and whatever it
// does not move must keep the value the layer below had, to the
// nanosecond.
func copyUpOps(t target) []timeOp {
	p := t.path
	ops := []timeOp{
		{"chown", fsop.Lchown{Path: p, UID: 1000, GID: 1000}},
		{"rename", fsop.Rename{From: p, To: p + ".moved"}},
		{"utimens", fsop.Utimens{Path: p, Atime: stampA, Mtime: stampM, NoFollow: true}},
	}
	if t.kind != "symlink" {
		ops = append(ops, timeOp{"chmod", fsop.Chmod{Path: p, Mode: 0o700}})
	}
	if t.kind != "dir" {
		ops = append(ops, timeOp{"link", fsop.Link{Old: p, New: p + ".link"}})
	}
	switch t.kind {
	case "file":
		ops = append(ops, timeOp{"write", fsop.Append{Path: p, Data: "more\n"}}, timeOp{"setxattr", fsop.SetXattr{Path: p, Name: "user.t", Value: "1"}},
			timeOp{"truncate", fsop.Truncate{Path: p, Size: 2}})
	case "dir":
		ops = append(ops, timeOp{"write", fsop.WriteFile{Path: p + "/new", Data: "n\n", Mode: 0o644}}, timeOp{"setxattr", fsop.SetXattr{Path: p, Name: "user.t", Value: "1"}})
	}
	return ops
}

// restamp is a setup op that puts t in layer a (and so gives it layer a's
// known times) without changing what it is.
func restamp(t target) fsop.Op {
	if t.kind == "symlink" {
		return fsop.Lchown{Path: t.path, UID: 0, GID: 0}
	}
	return fsop.Chmod{Path: t.path, Mode: 0o755}
}

func timed(s scenario.Scenario) scenario.Scenario {
	if s.Times == "" {
		s.Times = scenario.TimesNoatime
	}
	s.Labels = append([]string{"times"}, s.Labels...)
	return s
}

// timeScenarios: issue 14. Copy-up by every kind of op, of every type of
// entry, from layer 0 and from every layer above; metadata ops that must
// not move mtime; reads that must move atime (strictatime) and never
// mtime; directories that gain, lose and rename children; utimensat as
// every identity; offline changes and remounts that must leave the times
// of untouched entries alone.
func timeScenarios() []scenario.Scenario {
	var out []scenario.Scenario
	for _, t := range []target{tFile, tDir, tSymlink, tFifo} {
		for _, c := range copyUpOps(t) {
			s := scenario.Scenario{
				Name: "times-copy-up-by-" + c.name + "-of-" + t.kind,
				Doc: "a " + c.name + " of a lower " + t.kind + " at runtime moves the times a plain filesystem moves and keeps " +
					"the others, to the nanosecond, before and after the remount",
				Steps:  []scenario.Step{scenario.Runtime(c.op)},
				Labels: labels("copy-up", c.name, t.kind, lRuntime),
			}
			out = append(out, timed(s))
			from := setupThenRuntime(scenario.Scenario{Name: s.Name + "-from-layer", Doc: s.Doc + " (entry last changed in layer a)",
				Labels: labels("copy-up", c.name, t.kind)}, ops(restamp(t)), c.op)
			out = append(out, timed(from))
		}
	}
	out = append(out, readScenarios()...)
	out = append(out, dirChildScenarios()...)
	out = append(out, utimensScenarios()...)
	out = append(out, remountTimeScenarios()...)
	return out
}
