// Package permissions holds the scenarios that pin down how chmod, chown,
// special bits, xattrs and access rights travel through the layers of a
// stack: a change made in one layer must show, exactly, in every view above.
package permissions

import (
	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Scenarios returns the suite's scenarios, unexpanded: the first ten by
// hand, then the groups of chmod.go, chown.go, dirs.go, create.go,
// identity.go, xattrs.go and times.go, generated from tables.
func Scenarios() []scenario.Scenario {
	s := []scenario.Scenario{
		{
			Name:   "chmod-file-in-layer",
			Doc:    "a chmod of a file in layer a shows in the merged view and after copy-up",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Chmod{Path: "etc/passwd", Mode: 0o600})},
			Labels: []string{"chmod", "file"},
		},
		{
			Name:   "chmod-dir-in-layer-children-above",
			Doc:    "the /etc case: a directory's mode changed in layer a holds while layer b adds a child to it",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Chmod{Path: "etc", Mode: 0o700}), scenario.InLayer("b", fsop.WriteFile{Path: "etc/added.conf", Data: "x=1\n", Mode: 0o644})},
			Labels: []string{"chmod", "dir"},
		},
		{
			Name:   "chown-dir-with-children-from-below",
			Doc:    "a chown of a directory in layer a, whose children stay in layer 0, shows with all children",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Chown{Path: "etc/app", UID: 1002, GID: 1002})},
			Labels: []string{"chown", "dir"},
		},
		{
			Name:   "chown-clears-setuid",
			Doc:    "chown of a setuid binary clears setuid as on a plain filesystem",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Chown{Path: "usr/bin/sudo", UID: 1000, GID: 1000})},
			Labels: []string{"chown", "setuid", "file"},
		},
		{
			Name:   "chmod-then-write-keeps-mode",
			Doc:    "a file chmod'ed 0600 in layer a and written at runtime keeps mode 0600 through copy-up",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Chmod{Path: "etc/hostname", Mode: 0o600}), scenario.Runtime(fsop.Append{Path: "etc/hostname", Data: "more\n"})},
			Labels: []string{"chmod", "copy-up", "file"},
		},
		{
			Name:   "owner-writes-own-lower-file",
			Doc:    "a non-root owner may write its own file from a lower layer, and nobody else may",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Append{Path: "home/user/notes.txt", Data: "more\n", By: fsop.By{As: fixtures.Owner}}, fsop.Append{Path: "home/user/notes.txt", Data: "intrusion\n", By: fsop.By{As: fixtures.Other}})},
			Labels: []string{"identity", "write", "file"},
		},
		{
			Name: "non-owner-chmod-refused",
			Doc:  "chmod and chown of root's file by another user fail with the same errno as on a plain copy",
			Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: "etc/passwd", Mode: 0o666, By: fsop.By{As: fixtures.Other}},
				fsop.Chown{Path: "etc/passwd", UID: 1002, GID: 1002, By: fsop.By{As: fixtures.Other}})},
			Labels: []string{"identity", "chmod", "chown", "errno", "file"},
		},
		{
			Name:   "xattr-in-layer-kept-through-copy-up",
			Doc:    "a user.* xattr set in layer a survives a chmod-triggered copy-up at runtime",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.SetXattr{Path: "etc/hostname", Name: "user.origin", Value: "layer"}), scenario.Runtime(fsop.Chmod{Path: "etc/hostname", Mode: 0o640})},
			Labels: []string{"xattr", "copy-up", "file"},
		},
		{
			Name:   "chmod-one-name-of-hardlink",
			Doc:    "chmod of one name of a hardlink pair changes both names",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Chmod{Path: "usr/bin/python3", Mode: 0o700})},
			Labels: []string{"chmod", "hardlink", "file"},
			Expect: []string{deviation.CopyUpSplitsLink},
		},
		{
			Name: "offline-chmod-of-copied-up-dir-is-masked",
			Doc: "the seed case: a directory copied up at runtime, then chmod'ed 0700 and chowned offline in layer 0, " +
				"shows its upper copy's mode and owner after the remount",
			Steps: []scenario.Step{
				scenario.Runtime(fsop.WriteFile{Path: "etc/app/new.conf", Data: "x\n", Mode: 0o644}),
				scenario.OfflineAt(0, fsop.Chmod{Path: "etc/app", Mode: 0o700}, fsop.Chown{Path: "etc/app", UID: 1002, GID: 1002}),
			},
			Labels: []string{"chmod", "chown", "dir", "offline"},
			Expect: []string{deviation.MergedDirMeta},
		},
	}
	s = append(s, chmodScenarios()...)
	s = append(s, chownScenarios()...)
	s = append(s, dirScenarios()...)
	s = append(s, createScenarios()...)
	s = append(s, identityScenarios()...)
	s = append(s, xattrScenarios()...)
	s = append(s, timeScenarios()...) // times.go, times_more.go
	for i := range s {
		s[i].Suite = "permissions"
	}
	return s
}
