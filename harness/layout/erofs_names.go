package layout

import (
	"fmt"
	"io/fs"
	"path/filepath"
)

// erofsMaxName is one byte short of NAME_MAX: mkfs.erofs of erofs-utils 1.5
// (Debian 12) fails on a file name of 255 bytes, which every other layout
// holds, with only "Could not format the device : [Error 2] No such file
// or directory" (measured: 254 bytes pack, 255 do not).
const erofsMaxName = 254

// erofsLongName refuses, with ErrUnsupported, a layer holding a name that
// mkfs.erofs cannot pack, before the packer's misleading error.
func erofsLongName(dir string) error {
	var long string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && len(d.Name()) > erofsMaxName {
			long = p
			return filepath.SkipAll
		}
		return nil
	})
	if long != "" {
		return fmt.Errorf("%w: erofs of %s: mkfs.erofs (erofs-utils 1.5) cannot pack the %d-byte name %s", ErrUnsupported, dir, len(filepath.Base(long)), long)
	}
	return nil
}

// MaxName is the longest file name (bytes) the layout's layers hold: 254
// where layers are packed by mkfs.erofs, NAME_MAX elsewhere. The session's
// fixtures leave longer names out (fixtures.BasesFor).
func MaxName(n Name) int {
	if n == EROFS || n == Composefs {
		return erofsMaxName
	}
	return 255
}
