package idmap

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// unmappedHost is a host id outside the default mapping (host
// 100000-165535): through it an owner of this id shows as the overflow id
// 65534, and no capability of the container reaches the inode.
const unmappedHost = 7

// unmappedFile makes path in layer 0 (mode, content "u") and gives it the
// host owner unmappedHost:unmappedHost on disk, in the layer and in the
// reference alike.
func unmappedFile(path string, mode uint32) []fsop.Op {
	return []fsop.Op{fsop.WriteFile{Path: path, Data: "u", Mode: mode},
		fsop.RawLchown{Path: path, HostUID: unmappedHost, HostGID: unmappedHost}}
}

// unmappedOwnerScenarios are the scenarios of an owner outside the
// mapping in a lower layer: each runs under --idmap all only (skip
// elsewhere, see harness/idmapped.go), where the layer and the reference
// are both seen through the mapping.
func unmappedOwnerScenarios() []scenario.Scenario {
	const f = "srv/unmapped"
	return []scenario.Scenario{{
		Name: "unmapped-owner-in-lower-shown-as-overflow",
		Doc: "a lower file owned on disk by a host id outside the mapping shows as the overflow id (65534) " +
			"and reads as other may",
		Steps: []scenario.Step{scenario.AtLayer(0, unmappedFile(f, 0o644)...),
			scenario.Runtime(fsop.ReadFile{Path: f})},
		Labels: labels("unmapped", "edge"),
	}, {
		Name:   "unmapped-owner-in-lower-chmod-refused/runtime",
		Doc:    "container root may not chmod a lower file whose owner has no mapping: refused as on a plain directory",
		Steps:  []scenario.Step{scenario.AtLayer(0, unmappedFile(f, 0o644)...), scenario.Runtime(fsop.Chmod{Path: f, Mode: 0o600})},
		Labels: labels("unmapped", "chmod", "copy-up"),
	}, {
		Name: "unmapped-owner-in-lower-chown-refused/runtime",
		Doc: "a chown by container root of a lower file whose owner has no mapping: the outcome of a plain " +
			"directory through the same mapping",
		Steps:  []scenario.Step{scenario.AtLayer(0, unmappedFile(f, 0o644)...), scenario.Runtime(fsop.Chown{Path: f, UID: 0, GID: 0})},
		Labels: labels("unmapped", "chown", "copy-up"),
	}, {
		Name: "unmapped-owner-in-lower-write-copy-up/runtime",
		Doc: "a world-writable lower file whose owner has no mapping, written by container root (as other): " +
			"the outcome and what the file holds after, as on a plain directory",
		Steps:  []scenario.Step{scenario.AtLayer(0, unmappedFile(f, 0o666)...), scenario.Runtime(fsop.Append{Path: f, Data: "+"})},
		Labels: labels("unmapped", "copy-up"),
	}, {
		Name: "unmapped-owner-in-lower-xattr-copy-up/runtime",
		Doc: "a user.* xattr set by container root on a world-writable lower file whose owner has no mapping: " +
			"the outcome and the file's xattrs after, as on a plain directory",
		Steps: []scenario.Step{scenario.AtLayer(0, unmappedFile(f, 0o666)...),
			scenario.Runtime(fsop.SetXattr{Path: f, Name: "user.layercheck.k", Value: "v"})},
		Labels: labels("unmapped", "xattr", "copy-up"),
	}, {
		Name: "unmapped-owner-in-lower-rename-link/runtime",
		Doc: "a rename and a hardlink at runtime of a lower file whose owner has no mapping (each a copy-up in " +
			"overlay that needs no write access to the file): the outcomes and the owner after, as on a plain directory",
		Steps: []scenario.Step{scenario.AtLayer(0, unmappedFile(f, 0o644)...),
			scenario.Runtime(fsop.Link{Old: f, New: "srv/unmapped-link"}, fsop.Rename{From: f, To: "srv/unmapped-renamed"})},
		Labels: labels("unmapped", "rename", "hardlink", "copy-up"),
	}, {
		Name: "unmapped-owner-hardlink-in-lower",
		Doc: "a hardlink pair in a lower layer owned by a host id outside the mapping: one inode of the overflow " +
			"owner, whose names a later layer cannot delete (no whiteout of it), as on a plain directory",
		Steps: []scenario.Step{scenario.AtLayer(0, fsop.WriteFile{Path: "srv/h1", Data: "h", Mode: 0o666}, fsop.Link{Old: "srv/h1", New: "srv/h2"},
			fsop.RawLchown{Path: "srv/h1", HostUID: unmappedHost, HostGID: unmappedHost}),
			scenario.InLayer("a", fsop.Remove{Path: "srv/h2"}),
			scenario.Runtime(fsop.ReadFile{Path: "srv/h1"})},
		Labels: labels("unmapped", "hardlink", "whiteout"),
	}, {
		Name: "unmapped-owner-dir-in-lower-delete-inside",
		Doc: "a world-writable lower directory owned by a host id outside the mapping: the delete of a mapped file " +
			"in it in a later layer (a whiteout beneath it) and a create in it at runtime (a copy-up of it), as on a plain directory",
		Steps: []scenario.Step{scenario.AtLayer(0, fsop.Mkdir{Path: "srv/udir", Mode: 0o777},
			fsop.WriteFile{Path: "srv/udir/mine", Data: "m", Mode: 0o644},
			fsop.RawLchown{Path: "srv/udir", HostUID: unmappedHost, HostGID: unmappedHost}),
			scenario.InLayer("a", fsop.Remove{Path: "srv/udir/mine"}),
			scenario.Runtime(fsop.WriteFile{Path: "srv/udir/new", Data: "n", Mode: 0o644})},
		Labels: labels("unmapped", "whiteout", "copy-up"),
	}}
}
