// Package rename holds the scenarios that pin down renames across layers:
// renamed things keep their children, metadata and links, and every rename
// gives the plain copy's result or the documented one.
//
// The scenarios come in groups, one file each: files (files.go),
// directories (dirs.go), chains of renames across layers (chains.go),
// renameat2 flags (renameat2.go) and the errno of every failing case
// (errno.go). A scenario that renames a lower or merged directory declares
// harness.ExpectRenameDirEXDEV: without redirect_dir the rename must fail
// with the documented EXDEV (the reference then skips it, see
// harness/lockstep.go), with redirect_dir=on it must succeed and every
// child of every layer must follow.
package rename

import (
	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Scenarios returns the suite's scenarios, unexpanded.
func Scenarios() []scenario.Scenario {
	var s []scenario.Scenario
	for _, group := range [][]scenario.Scenario{files(), dirs(), chains(), renameat2(), errnos()} {
		s = append(s, group...)
	}
	for i := range s {
		s[i].Suite = "rename"
	}
	return s
}

// mv is rename(2) as root.
func mv(from, to string) fsop.Rename { return fsop.Rename{From: from, To: to} }

// mvAs is rename(2) as id.
func mvAs(id fsop.Identity, from, to string) fsop.Rename {
	return fsop.Rename{From: from, To: to, By: fsop.By{As: id}}
}

// noreplace, exchange and whiteout are renameat2(2) with one flag, as root.
func noreplace(from, to string) fsop.Rename {
	return fsop.Rename{From: from, To: to, Flags: unix.RENAME_NOREPLACE}
}
func exchange(from, to string) fsop.Rename {
	return fsop.Rename{From: from, To: to, Flags: unix.RENAME_EXCHANGE}
}
func whiteout(from, to string) fsop.Rename {
	return fsop.Rename{From: from, To: to, Flags: unix.RENAME_WHITEOUT}
}

// Small ops for building layers and filling renamed directories.
func mkdir(p string) fsop.Mkdir           { return fsop.Mkdir{Path: p, Mode: 0o755} }
func write(p, data string) fsop.WriteFile { return fsop.WriteFile{Path: p, Data: data, Mode: 0o644} }
func rm(p string) fsop.Remove             { return fsop.Remove{Path: p} }
func rmAll(p string) fsop.RemoveAll       { return fsop.RemoveAll{Path: p} }

// steps is a shorthand for a scenario's step list.
func steps(s ...scenario.Step) []scenario.Step { return s }

// exdev is the Expect list of a scenario that renames a lower or merged
// directory.
var exdev = []string{deviation.RenameDirEXDEV}
