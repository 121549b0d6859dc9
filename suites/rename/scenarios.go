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
// harness/run.go lockstep), with redirect_dir=on it must succeed and every
// child of every layer must follow.
package rename

import (
	"golang.org/x/sys/unix"

	h "github.com/layercheck/layercheck/harness"
)

// Scenarios returns the suite's scenarios, unexpanded.
func Scenarios() []h.Scenario {
	var s []h.Scenario
	for _, group := range [][]h.Scenario{files(), dirs(), chains(), renameat2(), errnos()} {
		s = append(s, group...)
	}
	for i := range s {
		s[i].Suite = "rename"
	}
	return s
}

// mv is rename(2) as root.
func mv(from, to string) h.Rename { return h.Rename{From: from, To: to} }

// mvAs is rename(2) as id.
func mvAs(id h.Identity, from, to string) h.Rename {
	return h.Rename{From: from, To: to, By: h.By{As: id}}
}

// noreplace, exchange and whiteout are renameat2(2) with one flag, as root.
func noreplace(from, to string) h.Rename {
	return h.Rename{From: from, To: to, Flags: unix.RENAME_NOREPLACE}
}
func exchange(from, to string) h.Rename {
	return h.Rename{From: from, To: to, Flags: unix.RENAME_EXCHANGE}
}
func whiteout(from, to string) h.Rename {
	return h.Rename{From: from, To: to, Flags: unix.RENAME_WHITEOUT}
}

// Small ops for building layers and filling renamed directories.
func mkdir(p string) h.Mkdir           { return h.Mkdir{Path: p, Mode: 0o755} }
func write(p, data string) h.WriteFile { return h.WriteFile{Path: p, Data: data, Mode: 0o644} }
func rm(p string) h.Remove             { return h.Remove{Path: p} }
func rmAll(p string) h.RemoveAll       { return h.RemoveAll{Path: p} }

// steps is a shorthand for a scenario's step list.
func steps(s ...h.Step) []h.Step { return s }

// exdev is the Expect list of a scenario that renames a lower or merged
// directory.
var exdev = []string{h.ExpectRenameDirEXDEV}
