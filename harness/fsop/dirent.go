package fsop

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// dirent is one record of getdents64(2), "." and ".." included.
type dirent struct {
	Ino  uint64
	Type uint8
	Name string
}

// ReadDirents reads every record of the open directory fd, in the order the
// filesystem returns them: the listing is part of what is checked, so
// nothing is sorted, filtered or deduplicated here.
func ReadDirents(fd int) ([]dirent, error) {
	var out []dirent
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return out, err
		}
		if n <= 0 {
			return out, nil
		}
		for b := buf[:n]; len(b) > 0; {
			// struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			name := b[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			out = append(out, dirent{Ino: binary.NativeEndian.Uint64(b[0:8]), Type: b[18], Name: string(name)})
			b = b[reclen:]
		}
	}
}

// ReadNames lists the names in fd without "." and "..".
func ReadNames(fd int) ([]string, error) {
	ents, err := ReadDirents(fd)
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if e.Name != "." && e.Name != ".." {
			names = append(names, e.Name)
		}
	}
	return names, err
}
