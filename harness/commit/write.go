package commit

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// OCI layer names (image-spec layer.md, "Whiteouts").
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
	paxXattr       = "SCHILY.xattr."
)

// Write reads the upper directory upper, whose lowers are lowers (top
// first, as overlayfs's lowerdir= lists them), per the on-disk format f,
// and writes the OCI image layer that records it to w: an uncompressed
// PAX tar that, applied onto a plain copy of the lowers, gives what the
// merged view of the mount showed.
//
// Every entry carries its mode (setuid, setgid and sticky included),
// owner, modification time to the nanosecond and its xattrs (PAX
// SCHILY.xattr.*; the format's private xattrs left out, escaped ones under
// the name the merged view shows). Names that share an inode are one file
// and TypeLink entries to it. A deleted name is ".wh.NAME"; a directory
// that hides the lowers beneath it is followed by ".wh..wh..opq". A
// directory renamed with redirect_dir is carried whole at its new path,
// opaque, as the merged view shows it there (the whiteout the kernel left
// at its old path deletes it there); a metacopy file carries the data of
// the lower it points at. The root is the entry "./". Entries come in a
// fixed order: parents first, then each directory's children by name.
//
// An upper made with index=on holds one name of a lower hardlink that was
// copied up; the other lower names, which the merged view shows as names
// of the upper inode, come last as TypeLink entries (see index.go).
//
// Sockets are left out: a layer tar cannot hold them.
func Write(w io.Writer, upper string, lowers []string, f Format) error {
	return write(w, upper, lowers, f, true)
}

// write is Write; without markers, whiteouts and opaque marks are left
// out (WriteBase).
func write(w io.Writer, upper string, lowers []string, f Format, markers bool) error {
	s, err := newStack(upper, lowers, f)
	if err != nil {
		return err
	}
	defer s.close()
	tw := tar.NewWriter(w)
	if err := emitLayer(s, tarSink{tw}, markers); err != nil {
		return err
	}
	return tw.Close()
}

// emitLayer walks the layer of s and hands its records to out; without
// markers, whiteouts and opaque marks are left out.
func emitLayer(s *stack, out sink, markers bool) error {
	o := &tarOut{s: s, out: out, links: map[[2]uint64]string{}, noMarkers: !markers}
	walk := &walker{s: s, emit: o.add}
	if err := walk.run(); err != nil {
		return err
	}
	return o.linkIndexed(walk)
}

// sink takes a layer's records in tar order: Write puts them in a tar,
// Flatten applies them to a directory.
type sink interface {
	whiteout(p string) error // the layer deletes p
	opaque(p string) error   // the layer's directory p hides what is below it
	// entry is an entry with its tar header; data has the bytes of a
	// regular file (hdr.Size of them).
	entry(hdr *tar.Header, data io.Reader) error
}

// tarOut turns the walk's items into records, tar headers for entries.
type tarOut struct {
	s       *stack
	out     sink
	links   map[[2]uint64]string // inode (device, number) -> its first name
	indexed []indexed            // upper names that index=on shares with lower names
	// noMarkers leaves whiteouts and opaque marks out (WriteBase)
	noMarkers bool
}

// tarSink writes records as the entries of an OCI layer tar.
type tarSink struct{ tw *tar.Writer }

func (t tarSink) whiteout(p string) error {
	return t.marker(path.Join(path.Dir(p), whiteoutPrefix+path.Base(p)))
}

func (t tarSink) opaque(p string) error { return t.marker(path.Join(p, opaqueMarker)) }

// marker writes a whiteout or opaque marker: an empty regular file whose
// metadata says nothing (fixed, so that the tar is deterministic).
func (t tarSink) marker(name string) error {
	return t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, ModTime: time.Unix(0, 0), Format: tar.FormatPAX})
}

func (t tarSink) entry(hdr *tar.Header, data io.Reader) error {
	if err := t.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("%s: %w", hdr.Name, err)
	}
	if data == nil {
		return nil
	}
	if _, err := io.CopyN(t.tw, data, hdr.Size); err != nil {
		return fmt.Errorf("%s: %w", hdr.Name, err)
	}
	return nil
}

// tarName is the name of a path in the tar: "./" for the root, and a
// trailing "/" for directories, as tar writers spell them.
func tarName(p string, dir bool) string {
	switch {
	case p == ".":
		return "./"
	case dir:
		return p + "/"
	}
	return p
}

func (o *tarOut) add(it item) error {
	if o.noMarkers && it.kind != itemEntry {
		return nil
	}
	switch it.kind {
	case itemWhiteout:
		return o.out.whiteout(it.path)
	case itemOpaque:
		return o.out.opaque(it.path)
	}
	st := &it.src.st
	typ := st.Mode & unix.S_IFMT
	if typ == unix.S_IFSOCK {
		return nil
	}
	if typ != unix.S_IFDIR {
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := o.links[key]; ok {
			return o.out.entry(linkHeader(it.path, first), nil)
		}
		o.links[key] = it.path
		if err := o.noteIndexed(it); err != nil {
			return err
		}
	}
	hdr, err := o.header(it)
	if err != nil {
		return &fsop.CopyError{Dir: o.s.roots[it.src.layer], Rel: it.src.rel, Err: err}
	}
	if hdr.Typeflag != tar.TypeReg {
		return o.out.entry(hdr, nil)
	}
	f, err := o.openData(it.data)
	if err != nil {
		return err
	}
	defer f.Close()
	return o.out.entry(hdr, f)
}

// linkHeader is the header of name as a further name of the inode first.
func linkHeader(name, first string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: first, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
}

// header builds the tar header of an entry from its layer.
func (o *tarOut) header(it item) (*tar.Header, error) {
	st := &it.src.st
	hdr := &tar.Header{
		Name:    it.path,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec),
		Format:  tar.FormatPAX, // nanosecond times, long names, big ids, xattrs
	}
	fd, err := o.s.open(it.src.layer, it.src.rel, unix.O_PATH)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Typeflag, hdr.Name = tar.TypeDir, tarName(it.path, true)
	case unix.S_IFREG:
		hdr.Typeflag, hdr.Size = tar.TypeReg, it.data.st.Size
	case unix.S_IFLNK:
		hdr.Typeflag = tar.TypeSymlink
		if hdr.Linkname, err = readlinkFd(fd); err != nil {
			return nil, err
		}
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil, fmt.Errorf("unknown file type %#o", st.Mode&unix.S_IFMT)
	}
	hdr.PAXRecords, err = o.xattrRecords(fd)
	return hdr, err
}

// xattrRecords are the PAX records of the xattrs the merged view shows on
// the file open at fd.
func (o *tarOut) xattrRecords(fd int) (map[string]string, error) {
	xa, err := mappableXattrs(fdPath(fd))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(xa))
	for n := range xa {
		names = append(names, n)
	}
	sort.Strings(names)
	var recs map[string]string
	for _, stored := range names {
		name, ok := o.s.f.visibleXattr(stored)
		if !ok {
			continue
		}
		if strings.ContainsRune(name, '=') {
			return nil, fmt.Errorf("xattr %q: a PAX record cannot name it", name)
		}
		if recs == nil {
			recs = map[string]string{}
		}
		recs[paxXattr+name] = xa[stored]
	}
	return recs, nil
}

// openData opens the regular file data for its bytes.
func (o *tarOut) openData(data ent) (*os.File, error) {
	fd, err := o.s.open(data.layer, data.rel, unix.O_RDONLY)
	if err != nil {
		// Which layer's file could not be read: an upper read through an
		// idmapped mount may hold an inode whose owner the mapping cannot
		// show, which a committer reading as the container cannot read.
		return nil, &fsop.CopyError{Dir: o.s.roots[data.layer], Rel: data.rel, Err: err}
	}
	return os.NewFile(uintptr(fd), o.s.full(data.layer, data.rel)), nil
}

// readlinkFd reads the target of the symlink open (O_PATH) at fd.
func readlinkFd(fd int) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(fd, "", buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
