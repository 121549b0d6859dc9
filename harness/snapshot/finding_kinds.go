package snapshot

// KindFailedOpCopyUp is a failed op that changed the upper layer: an op that
// the merged view refused (EPERM, EACCES, ENOENT, ...) must leave the stack
// exactly as it was, so it must not copy anything up, create a whiteout or
// touch a parent directory in the upper.
//
// Why a kind of its own, read off the upper before and after the op, rather
// than the snapshot comparison every scenario makes: a copy-up keeps type,
// mode, owner, data and xattrs, so a spurious one looks in the merged view
// exactly like no copy-up at all; the snapshots cannot tell. It shows only
// in the upper directory, and only around the op that failed (later ops
// copy up legitimately). Its consequences are real though: the copied-up
// file now hides every later change made to the layers below (a base image
// update, an offline fix), it breaks hardlinks without index=on, and it
// lets an identity without any right on a file make the filesystem write.
const KindFailedOpCopyUp Kind = "failed-op-copy-up"
