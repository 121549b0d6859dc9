package permissions

import (
	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// readScenarios: a read moves atime (strictatime) and nothing else; under
// noatime it moves nothing. overlayfs documents that it does not move the
// atime of a lower file it reads.
func readScenarios() []scenario.Scenario {
	read := fsop.ReadFile{Path: tFile.path}
	strict := func(s scenario.Scenario) scenario.Scenario {
		s.Times = scenario.TimesStrictatime
		s.Labels = append(s.Labels, "atime")
		return timed(s)
	}
	return []scenario.Scenario{
		strict(scenario.Scenario{
			Name: "times-read-lower-file/runtime", Doc: "reading a layer-0 file moves its atime, and only its atime",
			Steps: []scenario.Step{scenario.Runtime(read)}, Labels: labels("read", "file", lRuntime),
			Expect: []string{deviation.LowerReadAtime},
		}),
		strict(setupThenRuntime(scenario.Scenario{
			Name: "times-read-file-of-layer", Doc: "reading a file last changed in layer a moves its atime, and only its atime",
			Labels: labels("read", "file"), Expect: []string{deviation.LowerReadAtime},
		}, ops(restamp(tFile)), read)),
		strict(scenario.Scenario{
			Name: "times-read-copied-up-file/runtime", Doc: "reading a file copied up at runtime (by a chmod) moves its atime: overlayfs's exception is for lower files only",
			Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: tFile.path, Mode: 0o640}, read)}, Labels: labels("read", "copy-up", "file", lRuntime),
		}),
		strict(scenario.Scenario{
			Name: "times-read-new-file/runtime", Doc: "reading a file made at runtime, given known times, moves its atime",
			Steps: []scenario.Step{scenario.Runtime(fsop.WriteFile{Path: "etc/new", Data: "n\n", Mode: 0o644},
				fsop.Utimens{Path: "etc/new", Atime: stampA, Mtime: stampM}, fsop.ReadFile{Path: "etc/new"})},
			Labels: labels("read", "file", lRuntime),
		}),
		strict(scenario.Scenario{
			Name: "times-list-lower-dir/runtime", Doc: "listing a layer-0 directory moves its atime (a read of the directory), and only its atime",
			Steps: []scenario.Step{scenario.Runtime(fsop.ListTwice{Path: tDir.path})}, Labels: labels("read", "dir", lRuntime),
		}),
		timed(scenario.Scenario{
			Name: "times-read-noatime/runtime", Doc: "under noatime reading a lower file and a directory moves no time at all",
			Steps: []scenario.Step{scenario.Runtime(read, fsop.ListTwice{Path: tDir.path})}, Labels: labels("read", "file", "dir", lRuntime),
		}),
	}
}

// dirChildScenarios: a merged directory that gains, loses or renames a
// child moves its mtime and ctime as a plain one does; a change to a
// child's metadata or data leaves them alone.
func dirChildScenarios() []scenario.Scenario {
	const dir = "etc/app"
	cases := []timeOp{
		{"gains-child", fsop.WriteFile{Path: dir + "/new.conf", Data: "n\n", Mode: 0o644}},
		{"gains-subdir", fsop.Mkdir{Path: dir + "/new.d", Mode: 0o755}},
		{"loses-child", fsop.Remove{Path: dir + "/app.conf"}},
		{"renames-child", fsop.Rename{From: dir + "/app.conf", To: dir + "/renamed.conf"}},
		{"child-moves-out", fsop.Rename{From: dir + "/app.conf", To: "etc/moved.conf"}},
		{"gains-hardlink", fsop.Link{Old: "etc/hostname", New: dir + "/hostname"}},
		{"child-chmod", fsop.Chmod{Path: dir + "/app.conf", Mode: 0o600}},
		{"child-written", fsop.Append{Path: dir + "/app.conf", Data: "x\n"}},
	}
	var out []scenario.Scenario
	for _, c := range cases {
		s := scenario.Scenario{
			Name:   "times-merged-dir-" + c.name,
			Doc:    "a directory from a lower layer whose child is changed at runtime (" + c.name + ") has the times a plain directory has",
			Steps:  []scenario.Step{scenario.Runtime(c.op)},
			Labels: labels("dir", lRuntime),
		}
		out = append(out, timed(s))
		out = append(out, timed(setupThenRuntime(scenario.Scenario{Name: s.Name + "-from-layer", Doc: s.Doc + " (the directory last changed in layer a)",
			Labels: labels("dir")}, ops(fsop.WriteFile{Path: dir + "/layer.conf", Data: "l\n", Mode: 0o644}), c.op)))
	}
	return out
}

// utimensScenarios: utimensat(2) on lower entries as every identity: the
// owner may set explicit times, a user with write access only "now", others
// get EPERM or EACCES, all as on the plain copy; the times set show.
func utimensScenarios() []scenario.Scenario {
	kinds := func(p string, noFollow bool, by fsop.By) []fsop.Op {
		return []fsop.Op{
			fsop.Utimens{Path: p, Atime: stampA, Mtime: stampM, NoFollow: noFollow, By: by},
			fsop.Utimens{Path: p, Atime: fsop.Omit, Mtime: stampA, NoFollow: noFollow, By: by},
			fsop.Utimens{Path: p, Atime: fsop.Now, Mtime: fsop.Now, NoFollow: noFollow, By: by},
			fsop.Utimens{Path: p, Atime: fsop.Omit, Mtime: fsop.Omit, NoFollow: noFollow, By: by},
		}
	}
	targets := []struct {
		name, kind string
		path       string
		noFollow   bool
	}{
		{"own-file", "file", "tmp/owned-by-user", false},               // user:user 0644: member and other may not write
		{"group-writable-file", "file", "home/shared/plan.txt", false}, // user:user 0660 in 2770 root:user: member may write
		{"symlink-itself", "symlink", tSymlink.path, true},             // root's
		{"through-symlink", "symlink", "etc/os-release", false},        // root's target
		{"dir", "dir", "var/log", false},                               // root:adm 2775: member (adm) may write
	}
	var out []scenario.Scenario
	for _, tg := range targets {
		for _, id := range []struct {
			name string
			by   fsop.By
		}{{"root", fsop.By{}}, {"owner", owner}, {"member", member}, {"other", other}} {
			out = append(out, timed(scenario.Scenario{
				Name: "times-utimensat-" + tg.name + "-as-" + id.name + "/runtime",
				Doc: "utimensat(2) with explicit times, UTIME_OMIT, UTIME_NOW on a lower " + tg.name + " as " + id.name +
					" gives the plain copy's errno and times",
				Steps:  []scenario.Step{scenario.Runtime(kinds(tg.path, tg.noFollow, id.by)...)},
				Labels: labels("utimens", "identity", tg.kind, lRuntime),
			}))
		}
	}
	out = append(out, timed(scenario.Scenario{
		Name: "times-utimensat-in-layer",
		Doc:  "explicit times set in layer a on a file and a symlink itself show exactly above it",
		Steps: []scenario.Step{scenario.InLayer("a", fsop.Utimens{Path: tFile.path, Atime: stampA, Mtime: stampM},
			fsop.Utimens{Path: tSymlink.path, Atime: stampM, Mtime: stampA, NoFollow: true})},
		Labels: labels("utimens", "file", "symlink", lLayer),
	}))
	return out
}

// remountTimeScenarios: a change made offline to a lower layer shows after
// the remount, and the times of every entry it did not touch stay put;
// without offline changes every time persists across the remount.
func remountTimeScenarios() []scenario.Scenario {
	return []scenario.Scenario{
		timed(scenario.Scenario{
			Name: "times-offline-change-in-lower",
			Doc:  "a chmod and explicit times made offline in layer 0 show after the remount; nothing else moves",
			Steps: []scenario.Step{
				scenario.Runtime(fsop.Append{Path: tFile.path, Data: "more\n"}),
				scenario.OfflineAt(0, fsop.Chmod{Path: "etc/passwd", Mode: 0o600},
					fsop.Utimens{Path: "etc/group", Atime: stampA, Mtime: stampM}),
			},
			Labels: labels("offline", "file"),
		}),
		timed(scenario.Scenario{
			Name: "times-offline-change-in-layer-above",
			Doc:  "explicit times set offline in layer a on a file it holds show after the remount",
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.Chmod{Path: "etc/passwd", Mode: 0o640}),
				scenario.OfflineIn("a", fsop.Utimens{Path: "etc/passwd", Atime: stampM, Mtime: stampA}),
			},
			Labels: labels("offline", "file"),
		}),
		timed(scenario.Scenario{
			Name: "times-persist-across-remount/runtime",
			Doc:  "times set and moved at runtime (copy-up, a new file, explicit times as the owner) are the same after a remount",
			Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: tFile.path, Mode: 0o600},
				fsop.WriteFile{Path: "etc/new", Data: "n\n", Mode: 0o644},
				fsop.Utimens{Path: "tmp/owned-by-user", Atime: stampA, Mtime: stampM, By: fsop.By{As: fixtures.Owner}})},
			Labels: labels("file", lRuntime),
		}),
	}
}
