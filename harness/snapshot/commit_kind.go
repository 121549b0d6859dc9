package snapshot

// KindCommit is an upper directory that, read per its filesystem's
// on-disk format and written as an OCI image layer, does not give back the
// merged view it was the upper of: applied onto the layers below, the
// layer tar shows something else at the path than the merged view did.
// An image committed from that upper (docker commit, buildah, BuildKit)
// is not what the container saw. Reference is what the merged view
// showed, Merged what the layer gives; Field names the field as the other
// kinds do ("entry" for one side only, "type", "mode", "xattr:user.x").
const KindCommit Kind = "commit"
