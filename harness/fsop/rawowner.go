package fsop

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// RawLchown sets the owner of Path (the last component itself) to host ids
// on the raw side of the tree (Tree.Raw): the directory as it is stored,
// not as an idmapped mount shows it. It is how an owner outside the
// mapping gets into a layer, as it does when an image is unpacked by a tool
// that does not map ids, or a layer is shared between containers of
// different mappings: through the mapping no chown can store such an id
// (EOVERFLOW). Applied to a layer and to the reference alike, both then
// show it through the same mapping (the overflow id). A tree seen through
// no mapping has no raw side: ErrNoRawSide.
type RawLchown struct {
	Path string
	// HostUID and HostGID are ids as stored on disk (-1 keeps one).
	HostUID, HostGID int
	By
}

// ErrNoRawSide is RawLchown's error on a tree not seen through an
// idmapped mount.
var ErrNoRawSide = errors.New("the tree is seen through no idmapped mount: no raw side to set a host owner on")

func (o RawLchown) Kind() string    { return "raw-lchown" }
func (o RawLchown) Paths() []string { return []string{o.Path} }

// Shell works in a reproducer that runs in $S/v, the idmapped mount of $S
// (frontend/repro/idmap.go): the tree's raw side is $S with $PWD's path
// below $S/v.
func (o RawLchown) Shell() string {
	return asShell(o.By, fmt.Sprintf(`chown -h %s -- "$S${PWD#"$S/v"}"/%s`, ownerArg(o.HostUID, o.HostGID), Quote(CleanRel(o.Path))))
}

func (o RawLchown) apply(t *Tree) error {
	if t.Raw == "" {
		return ErrNoRawSide
	}
	raw, err := OpenTree(t.Raw)
	if err != nil {
		return err
	}
	defer raw.Close()
	return raw.WithParent(o.Path, func(dfd int, base string) error {
		return unix.Fchownat(dfd, base, o.HostUID, o.HostGID, unix.AT_SYMLINK_NOFOLLOW)
	})
}

// IsRawOwner reports whether op sets an owner on the raw side of an
// idmapped tree (the harness runs it only where both sides have one).
func IsRawOwner(op Op) bool {
	_, ok := op.(RawLchown)
	return ok
}
