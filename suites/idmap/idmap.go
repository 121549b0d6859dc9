// Package idmap is the suite of what only a mapping can get wrong: ids at
// the edge of the mapping, group inheritance, ACL entries and file
// capabilities whose ids the kernel translates, copy-up through the
// mapping. Run under --idmap (lowers, upper or all) it checks the stack
// against a plain directory seen through the same mapping; without
// --idmap its scenarios are plain ones and must pass as such.
//
// An id outside the mapping on disk (an owner the container sees as
// 65534) cannot be made through the mapped view: the scenarios that need
// one store it in layer 0 and in the reference on the raw side
// (fsop.RawLchown, unmapped.go) and run under --idmap all only. What
// needs such an owner in a built layer (a whiteout of it) stays with the
// real-mount tests of harness/idmap (TestOverlay*).
package idmap

import (
	"encoding/binary"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Outside is a container identity outside the default mapping (0..65535):
// the kernel can store nothing it owns in a mapped layer.
var Outside = fsop.Identity{Name: "outside", UID: 70000, GID: 70000}

// capV3 is a security.capability v3 value: cap_net_raw+ep for the user
// namespace whose root is rootid (a container id here).
func capV3(rootid uint32) string {
	b := binary.LittleEndian.AppendUint32(nil, 0x03000000|1) // revision 3, effective
	b = binary.LittleEndian.AppendUint32(b, 1<<fsop.CapNetRaw)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 0)
	return string(binary.LittleEndian.AppendUint32(b, rootid))
}

func labels(more ...string) []string { return append([]string{"idmap"}, more...) }

// Scenarios lists the suite.
func Scenarios() []scenario.Scenario {
	owner := fsop.By{As: fixtures.Owner}
	member := fsop.By{As: fixtures.Member}
	outside := fsop.By{As: Outside}
	out := []scenario.Scenario{{
		Name: "chown-to-id-outside-mapping/runtime",
		Doc: "a chown at runtime to a container id the mapping does not cover: a mapped upper cannot store it " +
			"(EOVERFLOW, as a plain directory through the mapping), a plain upper can",
		Steps:  []scenario.Step{scenario.Runtime(fsop.Chown{Path: "etc/hostname", UID: 70000, GID: 70000})},
		Labels: labels("chown", "edge"),
	}, {
		Name: "chown-to-last-mapped-id/runtime",
		Doc:  "a chown at runtime to the last container id of the mapping (65535) is stored and shown as itself",
		Steps: []scenario.Step{scenario.Runtime(fsop.Chown{Path: "etc/hostname", UID: 65535, GID: 65535},
			fsop.Chown{Path: "etc/app", UID: 65535, GID: -1})},
		Labels: labels("chown", "edge"),
	}, {
		Name:   "create-by-identity-outside-mapping/runtime",
		Doc:    "an identity outside the mapping creates in a world-writable directory: EOVERFLOW where the upper is mapped",
		Steps:  []scenario.Step{scenario.Runtime(fsop.WriteFile{Path: "tmp/outside", Data: "o", Mode: 0o644, By: outside})},
		Labels: labels("create", "edge", "identity"),
	}, {
		Name: "chown-in-layer-then-copy-up-by-owner",
		Doc: "a file given to the user in a layer is written by the user at runtime: owner and group stay the " +
			"container's through the copy-up",
		Steps: []scenario.Step{scenario.InLayer("a", fsop.Chown{Path: "srv/deep/a", UID: 1000, GID: 1000},
			fsop.WriteFile{Path: "srv/deep/a/mine", Data: "m", Mode: 0o640}, fsop.Chown{Path: "srv/deep/a/mine", UID: 1000, GID: 1000}),
			scenario.Runtime(fsop.Append{Path: "srv/deep/a/mine", Data: "+", By: owner})},
		Labels: labels("copy-up", "chown", "identity"),
	}, {
		Name: "setgid-dir-group-inherited-through-mapping",
		Doc: "a setgid directory of group user made in a layer: what a member creates in it at runtime takes the " +
			"directory's group, and a subdirectory keeps setgid",
		Steps: []scenario.Step{scenario.InLayer("a", fsop.Mkdir{Path: "srv/team", Mode: 0o2775}, fsop.Chown{Path: "srv/team", UID: 0, GID: 1000}),
			scenario.Runtime(fsop.WriteFile{Path: "srv/team/f", Data: "f", Mode: 0o664, By: member},
				fsop.Mkdir{Path: "srv/team/sub", Mode: 0o775, By: member})},
		Labels: labels("setgid", "group", "identity"),
	}, {
		Name: "acl-named-entries-translated",
		Doc: "an access ACL naming user 1002 and group 1000 set in a layer: the entries show as container ids, " +
			"grant what they grant, and survive a copy-up by chmod",
		Steps: []scenario.Step{scenario.InLayer("a", fsop.SetXattr{Path: "etc/shadow", Name: fsop.XattrACLAccess,
			Value: fsop.ACL("u::rw-,u:1002:r--,g::r--,g:1000:r--,m::r--,o::---")}),
			scenario.Runtime(fsop.Chmod{Path: "etc/shadow", Mode: 0o640})},
		Labels: labels("acl", "xattr", "copy-up"),
	}, {
		Name: "default-acl-inherited-through-mapping/runtime",
		Doc:  "a default ACL naming user 1002 set in a layer is inherited, translated, by what root creates at runtime",
		Steps: []scenario.Step{scenario.InLayer("a", fsop.SetXattr{Path: "srv/deep/a", Name: fsop.XattrACLDefault,
			Value: fsop.ACL("u::rwx,u:1002:rw-,g::r-x,m::rwx,o::---")}),
			scenario.Runtime(fsop.WriteFile{Path: "srv/deep/a/inherits", Data: "i", Mode: 0o660})},
		Labels: labels("acl", "xattr", "create"),
	}, {
		Name: "capability-v3-rootid-kept-through-copy-up",
		Doc: "security.capability v3 whose root id is container uid 1000, set in a layer, read the same above and " +
			"kept by a chmod at runtime that copies the file up",
		Steps: []scenario.Step{scenario.InLayer("a", fsop.SetXattr{Path: "usr/bin/ping", Name: fsop.XattrCapability, Value: capV3(1000)}),
			scenario.Runtime(fsop.Chmod{Path: "usr/bin/ping", Mode: 0o750})},
		Labels: labels("capability", "xattr", "copy-up"),
	}, {
		Name: "hardlink-of-user-file-then-delete-one-name",
		Doc: "a hardlink pair owned by the user made in a layer; one name deleted in a later layer, the other " +
			"written at runtime: owner and link count through the mapping",
		Steps: []scenario.Step{scenario.InLayer("a", fsop.WriteFile{Path: "srv/deep/a/h1", Data: "h", Mode: 0o644},
			fsop.Chown{Path: "srv/deep/a/h1", UID: 1000, GID: 1000}, fsop.Link{Old: "srv/deep/a/h1", New: "srv/deep/a/h2"}),
			scenario.InLayer("b", fsop.Remove{Path: "srv/deep/a/h2"}),
			scenario.Runtime(fsop.Append{Path: "srv/deep/a/h1", Data: "+"})},
		Labels: labels("hardlink", "whiteout", "chown"),
	}}
	out = append(out, unmappedOwnerScenarios()...)
	for i := range out {
		out[i].Suite = "idmap"
	}
	return out
}
