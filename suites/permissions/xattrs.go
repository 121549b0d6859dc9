package permissions

import (
	h "github.com/layercheck/layercheck/harness"
)

// ACLs used below, as getfacl's short text.
var (
	aclOtherReads   = h.ACL("u::rw-,u:1002:r--,g::r--,m::r--,o::---")         // etc/shadow, for other
	aclOtherSearch  = h.ACL("u::rwx,u:1002:r-x,g::r-x,m::r-x,o::---")         // etc/app, for other
	aclDefaultOther = h.ACL("u::rwx,u:1002:rw-,g::r-x,g:4:rwx,m::rwx,o::---") // inherited by new entries
	aclMemberDenied = h.ACL("u::rw-,u:1001:---,g::rw-,m::rw-,o::---")         // plan.txt: member named, no rights
)

// xattrScenarios: user.* xattrs set, replaced and removed in different
// layers and kept through copy-up; security.capability kept through a
// copy-up that keeps it (chmod) and cleared by those that clear it on a
// plain filesystem (write, chown); POSIX ACLs set in a lower layer and
// enforced for a named user in the merged view (the access matrix probes
// other = uid 1002 and member = uid 1001 on every entry).
func xattrScenarios() []h.Scenario {
	var out []h.Scenario
	for _, t := range []target{tFile, tDir} {
		out = append(out, h.Scenario{
			Name: "user-xattr-set-replaced-removed-" + t.kind,
			Doc: "user.a set in layer a, replaced in layer b, removed at runtime while user.b is set: only user.b " +
				"shows on the " + t.kind,
			Steps: []h.Step{
				h.InLayer("a", h.SetXattr{Path: t.path, Name: "user.a", Value: "1"}),
				h.InLayer("b", h.SetXattr{Path: t.path, Name: "user.a", Value: "2"}),
				h.Runtime(h.RemoveXattr{Path: t.path, Name: "user.a"}, h.SetXattr{Path: t.path, Name: "user.b", Value: "3"}),
			},
			Labels: labels("xattr", t.kind),
		})
	}
	out = append(out, everywhere(h.Scenario{
		Name:   "user-xattr-of-layer-0-removed",
		Doc:    "user.comment of a layer-0 file removed by its owner stays removed; the owner may set one on its own directory, other may not",
		Labels: labels("xattr", "identity", "file", "dir"),
	}, h.RemoveXattr{Path: "home/user/notes.txt", Name: "user.comment", By: owner},
		h.SetXattr{Path: "home/user", Name: "user.owner-says", Value: "mine", By: owner},
		h.SetXattr{Path: "srv/deep/a", Name: "user.layercheck.dir", Value: "stolen", By: other})...)
	out = append(out, h.Scenario{
		Name:   "dir-xattr-kept-through-dir-copy-up/runtime",
		Doc:    "a layer-0 directory's user.* xattr survives the copy-up of the directory by a child created at runtime",
		Steps:  []h.Step{h.Runtime(h.WriteFile{Path: "srv/deep/a/new.txt", Data: "n\n", Mode: 0o644})},
		Labels: labels("xattr", "copy-up", "dir", lRuntime),
	})
	out = append(out, setupThenRuntime(h.Scenario{
		Name:   "dir-xattr-set-in-layer-kept-through-copy-up",
		Doc:    "a user.* xattr set on etc/ssh in layer a survives the copy-up of etc/ssh by a child created at runtime",
		Labels: labels("xattr", "copy-up", "dir"),
	}, ops(h.SetXattr{Path: "etc/ssh", Name: "user.origin", Value: "layer"}), h.WriteFile{Path: "etc/ssh/new.conf", Data: "n\n", Mode: 0o644}))

	// File capabilities (cap_net_raw+ep on ping, set in layer a).
	caps := h.SetXattr{Path: "usr/bin/ping", Name: h.XattrCapability, Value: h.FileCaps(true, h.CapNetRaw)}
	out = append(out, everywhere(h.Scenario{
		Name:   "capability-set-kept-through-chmod",
		Doc:    "security.capability set on an executable and a chmod after it (which keeps it) show exactly above and after remount",
		Labels: labels("xattr", "capability", "chmod", "file"),
	}, caps, h.Chmod{Path: "usr/bin/ping", Mode: 0o750})...)
	out = append(out, setupThenRuntime(h.Scenario{
		Name:   "capability-kept-through-chmod-copy-up",
		Doc:    "security.capability set in layer a is kept by a chmod at runtime that copies the file up",
		Labels: labels("xattr", "capability", "chmod", "copy-up", "file"),
	}, ops(caps), h.Chmod{Path: "usr/bin/ping", Mode: 0o750}))
	out = append(out, setupThenRuntime(h.Scenario{
		Name:   "capability-cleared-by-write",
		Doc:    "security.capability set in layer a is removed by root's write at runtime, as any write removes it on a plain filesystem",
		Labels: labels("xattr", "capability", "write", "copy-up", "file"),
	}, ops(caps), h.Append{Path: "usr/bin/ping", Data: "patched\n"}))
	out = append(out, setupThenRuntime(h.Scenario{
		Name:   "capability-cleared-by-chown",
		Doc:    "security.capability set in layer a is removed by a chgrp at runtime, as on a plain filesystem",
		Labels: labels("xattr", "capability", "chown", "file"),
	}, ops(caps), h.Chown{Path: "usr/bin/ping", UID: -1, GID: 4}))

	// POSIX ACLs.
	out = append(out, everywhere(h.Scenario{
		Name: "acl-grants-and-denies-named-users",
		Doc: "access ACLs granting uid 1002 read of shadow (0640 root:shadow) and search of etc/app (0750 root:user), " +
			"and naming member with no rights on a group-writable file: other may read and search, member may not write",
		Labels: labels("acl", "xattr", "file", "dir"),
	}, h.SetXattr{Path: "etc/shadow", Name: h.XattrACLAccess, Value: aclOtherReads},
		h.SetXattr{Path: "etc/app", Name: h.XattrACLAccess, Value: aclOtherSearch},
		h.SetXattr{Path: "home/shared/plan.txt", Name: h.XattrACLAccess, Value: aclMemberDenied})...)
	setACL := ops(h.SetXattr{Path: "etc/shadow", Name: h.XattrACLAccess, Value: aclOtherReads})
	out = append(out, setupThenRuntime(h.Scenario{
		Name:   "acl-then-chmod-masks-named-user",
		Doc:    "an ACL set in layer a, then chmod 0600 at runtime: the mask becomes ---, and the named user loses read",
		Labels: labels("acl", "xattr", "chmod", "file"),
	}, setACL, h.Chmod{Path: "etc/shadow", Mode: 0o600}))
	out = append(out, setupThenRuntime(h.Scenario{
		Name:   "acl-kept-through-write-copy-up",
		Doc:    "an ACL set in layer a survives a copy-up by root's write at runtime, and still grants the named user read",
		Labels: labels("acl", "xattr", "write", "copy-up", "file"),
	}, setACL, h.Append{Path: "etc/shadow", Data: "other:!:1::::::\n"}))
	out = append(out, h.Scenario{
		Name:   "acl-removed-in-later-layer",
		Doc:    "an ACL set in layer a and removed in layer b no longer grants the named user anything",
		Steps:  []h.Step{h.InLayer("a", setACL...), h.InLayer("b", h.RemoveXattr{Path: "etc/shadow", Name: h.XattrACLAccess})},
		Labels: labels("acl", "xattr", "file"),
	})
	out = append(out, setupThenRuntime(h.Scenario{
		Name: "default-acl-inherited-by-new-entries",
		Doc: "a default ACL set on etc/app in layer a is inherited at runtime by a new file (as its access ACL, masked " +
			"by the mode asked, under umask 077 which the default ACL overrides) and a new directory (as both ACLs), " +
			"and the named user's rights follow",
		Labels: labels("acl", "xattr", "create", "umask", "file", "dir"),
	}, ops(h.SetXattr{Path: "etc/app", Name: h.XattrACLAccess, Value: aclOtherSearch}, h.SetXattr{Path: "etc/app", Name: h.XattrACLDefault, Value: aclDefaultOther}),
		h.WriteFile{Path: "etc/app/new.conf", Data: "n\n", Mode: 0o666},
		h.Mkdir{Path: "etc/app/new.d", Mode: 0o777},
		h.WriteFile{Path: "etc/app/new.d/inner.conf", Data: "i\n", Mode: 0o640},
		h.WriteFile{Path: "etc/app/umask.conf", Data: "u\n", Mode: 0o666, By: umask(h.By{}, 0o077)}))
	return out
}
