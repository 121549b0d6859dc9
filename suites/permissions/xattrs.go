package permissions

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// ACLs used below, as getfacl's short text.
var (
	aclOtherReads   = fsop.ACL("u::rw-,u:1002:r--,g::r--,m::r--,o::---")         // etc/shadow, for other
	aclOtherSearch  = fsop.ACL("u::rwx,u:1002:r-x,g::r-x,m::r-x,o::---")         // etc/app, for other
	aclDefaultOther = fsop.ACL("u::rwx,u:1002:rw-,g::r-x,g:4:rwx,m::rwx,o::---") // inherited by new entries
	aclMemberDenied = fsop.ACL("u::rw-,u:1001:---,g::rw-,m::rw-,o::---")         // plan.txt: member named, no rights
)

// xattrScenarios: user.* xattrs set, replaced and removed in different
// layers and kept through copy-up; security.capability kept through a
// copy-up that keeps it (chmod) and cleared by those that clear it on a
// plain filesystem (write, chown); POSIX ACLs set in a lower layer and
// enforced for a named user in the merged view (the access matrix probes
// other = uid 1002 and member = uid 1001 on every entry).
func xattrScenarios() []scenario.Scenario {
	var out []scenario.Scenario
	for _, t := range []target{tFile, tDir} {
		out = append(out, scenario.Scenario{
			Name: "user-xattr-set-replaced-removed-" + t.kind,
			Doc: "user.a set in layer a, replaced in layer b, removed at runtime while user.b is set: only user.b " +
				"shows on the " + t.kind,
			Steps: []scenario.Step{
				scenario.InLayer("a", fsop.SetXattr{Path: t.path, Name: "user.a", Value: "1"}),
				scenario.InLayer("b", fsop.SetXattr{Path: t.path, Name: "user.a", Value: "2"}),
				scenario.Runtime(fsop.RemoveXattr{Path: t.path, Name: "user.a"}, fsop.SetXattr{Path: t.path, Name: "user.b", Value: "3"}),
			},
			Labels: labels("xattr", t.kind),
		})
	}
	out = append(out, everywhere(scenario.Scenario{
		Name:   "user-xattr-of-layer-0-removed",
		Doc:    "user.comment of a layer-0 file removed by its owner stays removed; the owner may set one on its own directory, other may not",
		Labels: labels("xattr", "identity", "file", "dir"),
	}, fsop.RemoveXattr{Path: "home/user/notes.txt", Name: "user.comment", By: owner},
		fsop.SetXattr{Path: "home/user", Name: "user.owner-says", Value: "mine", By: owner},
		fsop.SetXattr{Path: "srv/deep/a", Name: "user.layercheck.dir", Value: "stolen", By: other})...)
	out = append(out, scenario.Scenario{
		Name:   "dir-xattr-kept-through-dir-copy-up/runtime",
		Doc:    "a layer-0 directory's user.* xattr survives the copy-up of the directory by a child created at runtime",
		Steps:  []scenario.Step{scenario.Runtime(fsop.WriteFile{Path: "srv/deep/a/new.txt", Data: "n\n", Mode: 0o644})},
		Labels: labels("xattr", "copy-up", "dir", lRuntime),
	})
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "dir-xattr-set-in-layer-kept-through-copy-up",
		Doc:    "a user.* xattr set on etc/ssh in layer a survives the copy-up of etc/ssh by a child created at runtime",
		Labels: labels("xattr", "copy-up", "dir"),
	}, ops(fsop.SetXattr{Path: "etc/ssh", Name: "user.origin", Value: "layer"}), fsop.WriteFile{Path: "etc/ssh/new.conf", Data: "n\n", Mode: 0o644}))

	// File capabilities (cap_net_raw+ep on ping, set in layer a).
	caps := fsop.SetXattr{Path: "usr/bin/ping", Name: fsop.XattrCapability, Value: fsop.FileCaps(true, fsop.CapNetRaw)}
	out = append(out, everywhere(scenario.Scenario{
		Name:   "capability-set-kept-through-chmod",
		Doc:    "security.capability set on an executable and a chmod after it (which keeps it) show exactly above and after remount",
		Labels: labels("xattr", "capability", "chmod", "file"),
	}, caps, fsop.Chmod{Path: "usr/bin/ping", Mode: 0o750})...)
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "capability-kept-through-chmod-copy-up",
		Doc:    "security.capability set in layer a is kept by a chmod at runtime that copies the file up",
		Labels: labels("xattr", "capability", "chmod", "copy-up", "file"),
	}, ops(caps), fsop.Chmod{Path: "usr/bin/ping", Mode: 0o750}))
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "capability-cleared-by-write",
		Doc:    "security.capability set in layer a is removed by root's write at runtime, as any write removes it on a plain filesystem",
		Labels: labels("xattr", "capability", "write", "copy-up", "file"),
	}, ops(caps), fsop.Append{Path: "usr/bin/ping", Data: "patched\n"}))
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "capability-cleared-by-chown",
		Doc:    "security.capability set in layer a is removed by a chgrp at runtime, as on a plain filesystem",
		Labels: labels("xattr", "capability", "chown", "file"),
	}, ops(caps), fsop.Chown{Path: "usr/bin/ping", UID: -1, GID: 4}))

	// POSIX ACLs.
	out = append(out, everywhere(scenario.Scenario{
		Name: "acl-grants-and-denies-named-users",
		Doc: "access ACLs granting uid 1002 read of shadow (0640 root:shadow) and search of etc/app (0750 root:user), " +
			"and naming member with no rights on a group-writable file: other may read and search, member may not write",
		Labels: labels("acl", "xattr", "file", "dir"),
	}, fsop.SetXattr{Path: "etc/shadow", Name: fsop.XattrACLAccess, Value: aclOtherReads},
		fsop.SetXattr{Path: "etc/app", Name: fsop.XattrACLAccess, Value: aclOtherSearch},
		fsop.SetXattr{Path: "home/shared/plan.txt", Name: fsop.XattrACLAccess, Value: aclMemberDenied})...)
	setACL := ops(fsop.SetXattr{Path: "etc/shadow", Name: fsop.XattrACLAccess, Value: aclOtherReads})
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "acl-then-chmod-masks-named-user",
		Doc:    "an ACL set in layer a, then chmod 0600 at runtime: the mask becomes ---, and the named user loses read",
		Labels: labels("acl", "xattr", "chmod", "file"),
	}, setACL, fsop.Chmod{Path: "etc/shadow", Mode: 0o600}))
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name:   "acl-kept-through-write-copy-up",
		Doc:    "an ACL set in layer a survives a copy-up by root's write at runtime, and still grants the named user read",
		Labels: labels("acl", "xattr", "write", "copy-up", "file"),
	}, setACL, fsop.Append{Path: "etc/shadow", Data: "other:!:1::::::\n"}))
	out = append(out, scenario.Scenario{
		Name:   "acl-removed-in-later-layer",
		Doc:    "an ACL set in layer a and removed in layer b no longer grants the named user anything",
		Steps:  []scenario.Step{scenario.InLayer("a", setACL...), scenario.InLayer("b", fsop.RemoveXattr{Path: "etc/shadow", Name: fsop.XattrACLAccess})},
		Labels: labels("acl", "xattr", "file"),
	})
	out = append(out, setupThenRuntime(scenario.Scenario{
		Name: "default-acl-inherited-by-new-entries",
		Doc: "a default ACL set on etc/app in layer a is inherited at runtime by a new file (as its access ACL, masked " +
			"by the mode asked, under umask 077 which the default ACL overrides) and a new directory (as both ACLs), " +
			"and the named user's rights follow",
		Labels: labels("acl", "xattr", "create", "umask", "file", "dir"),
	}, ops(fsop.SetXattr{Path: "etc/app", Name: fsop.XattrACLAccess, Value: aclOtherSearch}, fsop.SetXattr{Path: "etc/app", Name: fsop.XattrACLDefault, Value: aclDefaultOther}),
		fsop.WriteFile{Path: "etc/app/new.conf", Data: "n\n", Mode: 0o666},
		fsop.Mkdir{Path: "etc/app/new.d", Mode: 0o777},
		fsop.WriteFile{Path: "etc/app/new.d/inner.conf", Data: "i\n", Mode: 0o640},
		fsop.WriteFile{Path: "etc/app/umask.conf", Data: "u\n", Mode: 0o666, By: umask(fsop.By{}, 0o077)}))
	return out
}
