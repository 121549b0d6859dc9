package commit

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// A copied-up file records the lower inode it came from in overlay.origin:
// a struct ovl_fb (fs/overlayfs/overlayfs.h) of version (0), magic (0xfb),
// len, flags, fid type, the lower filesystem's uuid (16 bytes), then the
// fid, as name_to_handle_at(2) gives it. Comparing that fid with the
// handles of the lowers' hardlinked files finds the lower inode of a name
// that was renamed after its copy-up, which its path no longer names.
const (
	ovlFbMagic  = 0xfb
	ovlFbFidOff = 21
)

// originFid returns the fid type and bytes of the overlay.origin of the
// upper file rel (ok false if it has none or it is not understood).
func (s *stack) originFid(rel string) (typ int32, fid []byte, ok bool, err error) {
	v, has, err := s.xattrAt(0, rel, s.f.ovlPrefix()+"origin")
	if err != nil || !has {
		return 0, nil, false, err
	}
	b := []byte(v)
	if len(b) <= ovlFbFidOff || b[0] != 0 || b[1] != ovlFbMagic || int(b[2]) != len(b) {
		return 0, nil, false, nil
	}
	return int32(b[4]), b[ovlFbFidOff:], true, nil
}

// lowerByOrigin finds the hardlinked regular file of the lowers whose
// handle is the origin of the upper file rel: nil if none is.
func (s *stack) lowerByOrigin(rel string) (*ent, error) {
	typ, fid, ok, err := s.originFid(rel)
	if err != nil || !ok {
		return nil, err
	}
	for l := 1; l < len(s.roots); l++ {
		var found *ent
		err := filepath.WalkDir(s.roots[l], func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() || found != nil {
				return err
			}
			var st unix.Stat_t
			if err := unix.Lstat(p, &st); err != nil || st.Nlink < 2 {
				return err
			}
			h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, p, 0)
			if errors.Is(err, unix.EOPNOTSUPP) {
				return filepath.SkipAll // no handles here: the kernel made no origin from it either
			}
			if err == nil && h.Type() == typ && bytes.Equal(h.Bytes(), fid) {
				r, rerr := filepath.Rel(s.roots[l], p)
				found = &ent{layer: l, rel: r, kind: kOther, st: st}
				return rerr
			}
			return err
		})
		if err != nil || found != nil {
			return found, err
		}
	}
	return nil, nil
}
