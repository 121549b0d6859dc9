package modern

import (
	"context"

	"github.com/layercheck/layercheck/harness/scenario"
)

// check is a scenario of the suite: a procedure (scenario.Check) with the
// behaviour it pins down and where overlayfs.rst (or, where the document
// is silent, the kernel's own message) promises it.
type check struct {
	name, doc string
	labels    []string
	f         func(*T)
	// kernelLog are the lines (substrings) the check can only do its work
	// by making the kernel print: overlayfs says why it refused with
	// pr_err or pr_warn, not into the fs context's log that fsopen(2)
	// reads. Such a check runs only where a run may write to the kernel
	// log (scenario.Scenario.KernelLog).
	kernelLog []string
}

// Run implements scenario.Check.
func (c check) Run(ctx context.Context, dir string) scenario.CheckResult {
	return run(ctx, c.name, dir, c.f)
}

var checks = []check{
	{"mount-api/layer-names-need-escaping", "a layer named with ':', ',', '\\' and a space given by lowerdir+ mounts and shows its file; " +
		"mountinfo shows the colon as \\072 and ',', '\\', space in octal: " + citeColons, []string{"mount-api", "mountinfo"}, checkLayerNamesThatNeedEscaping, nil},
	{"mount-api/lowerdir-resets-lowerdir-plus", "lowerdir= after lowerdir+ replaces the layers lowerdir+ added; lowerdir+ after lowerdir= " +
		"is EINVAL (params.c: \"lowerdir+ and datadir+ cannot follow lowerdir\"; overlayfs.rst is silent)", []string{"mount-api"}, checkLowerdirResetsLowerdirPlus, nil},
	{"mount-api/regular-layer-after-data-layer-einval", "lowerdir+ after datadir+ is EINVAL, and the fs context's log says why: " + citeDataOrder,
		[]string{"mount-api", "data-only"}, checkRegularLayerAfterDataLayerRefused, nil},
	{"mount-api/lowerdir-string-regular-after-data-einval", "lowerdir=a::data:b (a regular layer after a data-only one in the " +
		"lowerdir string) is EINVAL: " + citeDataOrder, []string{"mount-api", "data-only"}, checkLowerdirStringRegularAfterData,
		[]string{"regular lower layers cannot follow data lower layers"}},
	{"mount-api/layers-by-descriptor", "lowerdir+, upperdir and workdir given by FSCONFIG_SET_FD mount and show the layer's file: " + citeByFD,
		[]string{"mount-api"}, checkLayersByDescriptor, nil},
	{"mount-api/override-creds", "override_creds is taken by the new mount API and a create through the mount works: " + citeCreds,
		[]string{"mount-api", "permissions"}, checkOverrideCreds, nil},
	{"mount-api/reconfigure-layers-refused", "adding a lower layer to a mounted overlay by fspick and reconfigure is refused " +
		"(overlayfs takes its layers at creation; params.c ovl_reconfigure refuses layer options)", []string{"mount-api"}, checkReconfigureRefused, nil},
	{"uuid/fsid-null-off-on", "uuid=null and off give the upper filesystem's fsid; uuid=on a unique one stored in trusted.overlay.uuid, " +
		"the same after a remount, with uuid=auto, and on a copy of the layers: " + citeUUID, []string{"uuid", "identity"}, checkUUIDFsid, nil},
	{"uuid/auto", "uuid=auto upgrades a new overlay to uuid=on and keeps an overlay used before with uuid=null at null: " + citeUUID,
		[]string{"uuid", "identity"}, checkUUIDAuto, nil},
	{"identity/file-handles-across-remount", "with index=on,nfs_export=on a handle of a lower and of an upper file decodes to the file after a " +
		"remount: overlayfs.rst, \"NFS export\"", []string{"identity", "nfs-export", "index"}, checkFileHandlesAcrossRemount, nil},
	{"identity/copied-layers-refused-estale", "with index=on a copy of the layers (xattrs kept) is refused at mount with ESTALE: " +
		"overlayfs.rst, \"Sharing and copying layers\"", []string{"identity", "index"}, checkCopiedLayersRefused,
		[]string{"failed to verify upper root origin"}},
	{"data-only/invisible-metadata-from-meta-layer", "a composefs stack: the data-only layer's paths are not visible, a metacopy shows the " +
		"metadata layer's mode, owner, xattr and st_ino and the object's data: " + citeDataOnly, []string{"data-only", "composefs"},
		checkDataOnlyLayerIsInvisibleAndMetadataComesFromTheMetaLayer, nil},
	{"data-only/missing-object-is-an-error", "a metacopy whose object is missing stats, and fails to open (ENOENT or EIO), never reading a " +
		"neighbour's data: " + citeDataOnly, []string{"data-only", "composefs"}, checkDataOnlyMissingObjectIsAnErrorNeverOtherData,
		[]string{"lazy lowerdata lookup failed"}},
	{"data-only/copy-up-takes-object-data", "an append to a metacopy of a data-only object copies the object's data up with the metadata's " +
		"mode and owner and leaves the object as it was: overlayfs.rst, \"Data-only lower layers\" and \"Metadata only copy up\"",
		[]string{"data-only", "composefs", "copy-up"}, checkDataOnlyCopyUpTakesTheObjectsData, nil},
	{"nesting/escaped-xattrs-both-ways", "trusted.overlay.overlay.* of a lower reads as trusted.overlay.* and does not act; trusted.overlay.* " +
		"set through the mount is stored escaped: " + citeNesting, []string{"nesting", "xattr"}, checkEscapedXattrsBothWays, nil},
	{"nesting/xwhiteout-formats", "a zero-size file with overlay.whiteout in a directory with overlay.opaque=x hides the lower name; " +
		"whether 6.7.0's overlay.whiteouts format acts too is recorded: " + citeNesting, []string{"nesting", "whiteout"}, checkXwhiteoutFormats, nil},
	{"nesting/escaped-xwhiteout-one-level-up", "an escaped xwhiteout is a plain file in the inner overlay and hides the name in an outer " +
		"overlay stacked on it: " + citeNesting, []string{"nesting", "whiteout"}, checkEscapedXwhiteoutActsOneLevelUp, nil},
	{"verity/metacopy-digest-and-require", "verity=on records the fs-verity digest of a lower file in its metacopy; verity=require gives EIO " +
		"on a metacopy without one: " + citeVerity, []string{"verity", "metacopy"}, checkVerity, nil},
	{"casefold/stored-case-kept", "an overlay over casefolded layers lists names in their stored case: " + citeCasefold,
		[]string{"casefold"}, checkCasefold, nil},
}

// Scenarios lists the suite: one scenario a check.
func Scenarios() []scenario.Scenario {
	out := make([]scenario.Scenario, len(checks))
	for i, c := range checks {
		out[i] = scenario.Scenario{Name: c.name, Suite: "modern", Doc: c.doc, Labels: append([]string{"modern"}, c.labels...), Check: c,
			KernelLog: c.kernelLog}
	}
	return out
}
