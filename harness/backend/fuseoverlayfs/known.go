package fuseoverlayfs

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Known issues of the FUSE backends: seen here (fuse-overlayfs 1.10,
// unionfs-fuse 1.0 on Debian 12), documented as intended nowhere in their
// README or man page. They stay failures; the tag only says "not news".
const (
	KnownFuseOverlayfsWhPrefix   = "fuse-overlayfs/hides-wh-prefixed-names"
	KnownFuseOverlayfsRootDotDot = "fuse-overlayfs/root-readdir-without-dotdot"
	// KnownFuseOverlayfsIdmapOverflow: under its own mapping (--idmap
	// all, -o uidmapping=/gidmapping=).
	KnownFuseOverlayfsIdmapOverflow = "fuse-overlayfs/uidmapping-stores-unmapped-id-as-overflow"
	KnownFuseOverlayfsIdmapSymlink  = "fuse-overlayfs/uidmapping-symlink-copy-up-stores-container-id"
	// KnownFuseOverlayfsIdmapXattrIDs: testdata/uidmapping-acl-cap-ids-untranslated.sh.
	KnownFuseOverlayfsIdmapXattrIDs = "fuse-overlayfs/uidmapping-acl-and-capability-ids-stored-untranslated"
	// KnownFuseOverlayfsIdmapMarkers: testdata/uidmapping-markers-owned-by-host-root.sh.
	KnownFuseOverlayfsIdmapMarkers = "fuse-overlayfs/uidmapping-whiteout-markers-owned-by-unmapped-host-root"
)

// aclNamesIDs matches the words (fsop.XattrText) of an ACL with a named
// user or group entry.
var aclNamesIDs = regexp.MustCompile(`(^|,| )[ug]:[0-9]+:`)

// matchIdmapXattrIDs: the commit check (read through the mapping) lost an
// ACL that names ids, or a file capability, that the mount showed. The
// commit package leaves out only what the mapping cannot show
// (mappableXattrs): an ACL entry naming an id outside it, and a
// capability the kernel refuses to read, which it does only for a v3 one
// whose root id is outside it (security/commoncap.c,
// cap_inode_getsecurity: -EOVERFLOW). The mount may show such a
// capability as v2: a v3 whose root id is the reader's namespace root
// reads as v2, so what the container set is v2 (and its root id its own
// root) while the layer holds another root id.
func matchIdmapXattrIDs(f snapshot.Finding, _ *backend.Evidence) bool {
	name, ok := strings.CutPrefix(f.Field, "xattrs:")
	if f.Kind != snapshot.KindCommit || !ok || f.Merged != "absent" {
		return false
	}
	switch name {
	case fsop.XattrACLAccess, fsop.XattrACLDefault:
		return aclNamesIDs.MatchString(f.Reference)
	case fsop.XattrCapability:
		return strings.HasPrefix(f.Reference, "caps ")
	}
	return false
}

// KnownIssues implements KnownIssuer.
func (f *FuseOverlayfs) KnownIssues() []backend.KnownIssue {
	out := append(commitKnownIssues(), f.ownKnownIssues()...) // known_commit.go
	if !f.mapsIDs() {
		// What only its own mapping gets wrong, matched by findings
		// (a lost ACL, a refused copy) that mean something else without it.
		out = slices.DeleteFunc(out, func(k backend.KnownIssue) bool {
			return k.ID == KnownFuseOverlayfsIdmapXattrIDs || k.ID == KnownFuseOverlayfsIdmapMarkers
		})
	}
	return out
}

// mapsIDs reports whether the mount maps owners (-o uidmapping=).
func (f *FuseOverlayfs) mapsIDs() bool {
	for _, o := range f.opts {
		if strings.HasPrefix(o, "uidmapping=") {
			return true
		}
	}
	return false
}

func (f *FuseOverlayfs) ownKnownIssues() []backend.KnownIssue {
	return []backend.KnownIssue{
		{
			ID: KnownFuseOverlayfsWhPrefix,
			Summary: "a regular file named .wh.NAME in a lower layer is taken as an aufs-style whiteout: it and NAME " +
				"vanish from the merged view, and .wh..wh..opq makes its directory opaque (the kernel's format is a 0/0 " +
				"character device; nothing in fuse-overlayfs's documentation says it reads .wh. files)",
			Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
				if f.Kind != snapshot.KindMissing {
					return false
				}
				dir, base := path.Split(f.Path)
				if strings.HasPrefix(base, ".wh.") {
					return true
				}
				if ev.Ref == nil {
					return false
				}
				if _, ok := ev.Ref.Entries[path.Join(dir, ".wh."+base)]; ok {
					return true
				}
				_, ok := ev.Ref.Entries[path.Join(dir, ".wh..wh..opq")]
				return ok
			},
		},
		{
			ID: KnownFuseOverlayfsIdmapOverflow,
			Summary: "with -o uidmapping=/gidmapping=, a chown to a container id the mapping does not cover, or a create by " +
				"such an identity, succeeds instead of failing with EOVERFLOW as the kernel's idmapped mounts do: the " +
				"file is stored owned by the overflow id 65534, the host's nobody (minimal case: --idmap all, " +
				"`chown 70000:70000 etc/hostname` at runtime)",
			Match: func(f snapshot.Finding, _ *backend.Evidence) bool {
				return f.Kind == snapshot.KindErrno && strings.HasPrefix(f.Merged, "ok") && strings.Contains(f.Reference, "EOVERFLOW")
			},
		},
		{
			ID: KnownFuseOverlayfsIdmapSymlink,
			Summary: "with -o uidmapping=/gidmapping=, a copy-up of a symlink (utimensat of the link, a rename, a hardlink " +
				"to it) stores the owner the container sees untranslated, so a link of container root's lies in the " +
				"upper owned by host uid 0 and shows as the overflow id 65534; a regular file's copy-up stores the host " +
				"id (minimal case: --idmap all, `touch -h etc/os-release` at runtime)",
			Match: func(f snapshot.Finding, ev *backend.Evidence) bool {
				if f.Kind != snapshot.KindOwner || f.Merged != "65534" || ev.Merged == nil {
					return false
				}
				e, ok := ev.Merged.Entries[f.Path]
				return ok && e.Type == "symlink"
			},
		},
		{
			ID: KnownFuseOverlayfsIdmapXattrIDs,
			Summary: "with -o uidmapping=/gidmapping=, the ids inside a POSIX ACL and the root id of a security.capability v3 " +
				"are stored as the container gave them while the file's owner is stored mapped: on disk an ACL names " +
				"uid 1002 where the owner says host 100000 for container 0, so through the mapping (an idmapped mount " +
				"of the layer, a committer) the entry names an id outside it and is lost, as is a capability the " +
				"container set (the kernel refuses to read one whose root id is outside the mapping) (fuse-overlayfs.1 presents " +
				"the mapping as an alternative to chown'ing the files, nothing of xattrs; seen with 1.10, " +
				"testdata/uidmapping-acl-cap-ids-untranslated.sh)",
			Match: matchIdmapXattrIDs,
		},
		{
			ID: KnownFuseOverlayfsIdmapMarkers,
			Summary: "with -o uidmapping=/gidmapping=, the opaque markers it writes in the upper (.wh..wh..opq, and " +
				"the .wh..opq device) are owned by host 0:0, mode 0700, outside the mapping, while the directory they " +
				"mark is stored mapped (100000:100000): read as the container, through an idmapped mount of the layer, " +
				"they are refused (EACCES), so a copy or a commit of the layer made through the mapping loses them and " +
				"what the directory hid comes back (seen with 1.10, testdata/uidmapping-markers-owned-by-host-root.sh; " +
				"fuse-overlayfs.1 says nothing of it)",
			Match: func(f snapshot.Finding, _ *backend.Evidence) bool {
				return f.Kind == snapshot.KindPersistence && f.Field == "copy" && strings.HasPrefix(path.Base(f.Path), ".wh.") &&
					strings.HasPrefix(f.Merged, "EACCES: owned on disk by 0:0,")
			},
		},
		{
			ID:      KnownFuseOverlayfsRootDotDot,
			Summary: "readdir(3) of the mount's root lists \".\" but not \"..\"",
			Match: func(f snapshot.Finding, _ *backend.Evidence) bool {
				return f.Kind == snapshot.KindInvariant && f.Path == "." && f.Field == "readdir" && strings.Contains(f.Reference, `".."`)
			},
		},
	}
}
