// Package cpio writes cpio archives in the "newc" format (SVR4 without
// checksums), the one the Linux kernel unpacks as an initramfs.
//
// Only what an initramfs needs is here: directories, regular files and
// symbolic links, written in the order given (the kernel creates entries
// in archive order, so a directory must come before what it holds).
package cpio

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

const trailer = "TRAILER!!!"

// Writer writes one newc archive. Close writes the trailer.
type Writer struct {
	w    io.Writer
	off  int64
	ino  uint32
	dirs map[string]bool
	err  error
}

// NewWriter starts an archive on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, ino: 1, dirs: map[string]bool{".": true, "": true}}
}

// header writes one entry's header, name and padding.
func (cw *Writer) header(name string, mode uint32, size int) {
	if cw.err != nil {
		return
	}
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" {
		name = "."
	}
	nlink := 1
	if mode&0o170000 == 0o040000 {
		nlink = 2
	}
	ino := cw.ino
	if name != trailer {
		cw.ino++
	} else {
		ino = 0
	}
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name)+1, 0)
	cw.write([]byte(hdr + name + "\x00"))
	cw.pad()
}

func (cw *Writer) write(b []byte) {
	if cw.err != nil {
		return
	}
	n, err := cw.w.Write(b)
	cw.off += int64(n)
	cw.err = err
}

// pad aligns the stream to 4 bytes, as newc wants after a name and data.
func (cw *Writer) pad() {
	if r := cw.off % 4; r != 0 {
		cw.write(make([]byte, 4-r))
	}
}

// Dir adds a directory, and first its parents not yet added.
func (cw *Writer) Dir(name string, perm fs.FileMode) error {
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if cw.dirs[name] {
		return cw.err
	}
	if err := cw.Dir(path.Dir(name), 0o755); err != nil {
		return err
	}
	cw.dirs[name] = true
	cw.header(name, 0o040000|uint32(perm.Perm()), 0)
	return cw.err
}

// File adds a regular file with the data given (and its parent
// directories).
func (cw *Writer) File(name string, perm fs.FileMode, data []byte) error {
	if err := cw.Dir(path.Dir(path.Clean("/"+name)), 0o755); err != nil {
		return err
	}
	cw.header(name, 0o100000|uint32(perm.Perm()), len(data))
	cw.write(data)
	cw.pad()
	return cw.err
}

// Symlink adds a symbolic link name pointing to target.
func (cw *Writer) Symlink(name, target string) error {
	if err := cw.Dir(path.Dir(path.Clean("/"+name)), 0o755); err != nil {
		return err
	}
	cw.header(name, 0o120000|0o777, len(target))
	cw.write([]byte(target))
	cw.pad()
	return cw.err
}

// CopyFile adds the host file src as name, with its permission bits.
func (cw *Writer) CopyFile(name, src string) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return cw.File(name, st.Mode(), data)
}

// Close writes the trailer entry. It does not close the underlying writer.
func (cw *Writer) Close() error {
	cw.header(trailer, 0, 0)
	return cw.err
}
