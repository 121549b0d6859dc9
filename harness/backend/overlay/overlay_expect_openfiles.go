package overlay

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// Citations from Documentation/filesystems/overlayfs.rst (Linux 6.18),
// "Non-standard behavior", items b) and c). No option removes either.
const (
	citeMapShared = `overlayfs.rst, "Non-standard behavior" b): "If a file residing on a lower layer is opened for read-only and then memory mapped with MAP_SHARED, then subsequent changes to the file are not reflected in the memory mapping."`
	citeExecWrite = `overlayfs.rst, "Non-standard behavior" c): "If a file residing on a lower layer is being executed, then opening that file for write or truncating the file will not be denied with ETXTBSY."`
)

// Expectation IDs of kernel overlayfs for open files.
const (
	ExpectMapSharedStale = deviation.MapSharedStale
	ExpectExecNoETXTBSY  = deviation.ExecNoETXTBSY
)

// openFileExpectations are the deviations overlayfs.rst documents for
// descriptors held open; and, without index=on, a read through a
// descriptor of one name of a lower hardlink that misses a write made
// through the other (the documented split of the link, seen by a read
// instead of by the snapshot).
func (o *Overlay) openFileExpectations() []backend.Expectation {
	out := []backend.Expectation{
		{ID: ExpectMapSharedStale, Citation: citeMapShared, Match: matchMapSharedStale},
		{ID: ExpectExecNoETXTBSY, Citation: citeExecWrite, Match: matchExecNoETXTBSY},
	}
	if !o.Index() {
		out = append(out, backend.Expectation{ID: ExpectCopyUpSplitsLink, Citation: citeHardlink, Match: matchSplitLinkRead})
	}
	return out
}

// matchSplitLinkRead: what a descriptor op saw differs because a copy-up
// broke a lower hardlink, as far as the evidence can tell (it does not
// say which file a descriptor names): the scenario names a path that is
// hardlinked in a read-only layer, and either a read (ReadFD) saw exactly
// that path's lower copy where the reference saw other data, or an fstat
// (FstatFD) saw a regular file on both sides that differs in link count,
// mode, owner or size only (a change made through the other name, or a
// count that still includes it).
func matchSplitLinkRead(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindErrno {
		return false
	}
	var linked []string
	for p := range ev.Named {
		if len(ev.LowerLinks[fsop.CleanRel(p)]) > 0 {
			linked = append(linked, p)
		}
	}
	if len(linked) == 0 {
		return false
	}
	switch op := ev.Op.(type) {
	case fsop.ReadFD:
		_, merged, ok := readData(f.Reference, f.Merged)
		return ok && op.Offset >= 0 && showsLowerCopy(ev, linked, int(op.Offset), op.Len, merged, false)
	case fsop.FstatFD:
		return strings.HasPrefix(f.Reference, "ok file ") && strings.HasPrefix(f.Merged, "ok file ")
	}
	return false
}

// matchMapSharedStale: a read through a mapping succeeded on both sides,
// with the same length, and what the merged view's mapping shows is
// exactly the bytes that a read-only layer of the stack holds at that
// offset of a file the scenario names: the mapping still shows the lower
// copy, and nothing else. Any other difference (a short read, a SIGBUS,
// bytes no lower layer holds) stays a failure.
func matchMapSharedStale(f snapshot.Finding, ev *backend.Evidence) bool {
	op, ok := ev.Op.(fsop.MapRead)
	if !ok || f.Kind != snapshot.KindErrno || len(ev.Stack) < 2 {
		return false
	}
	ref, merged, ok := readData(f.Reference, f.Merged)
	if !ok || len(ref) != len(merged) {
		return false
	}
	var named []string
	for p := range ev.Named {
		named = append(named, p)
	}
	return showsLowerCopy(ev, named, op.Offset, op.Len, merged, true)
}

// showsLowerCopy reports whether data (hex) is exactly what a read-only
// layer of the stack holds at offset of one of paths (n bytes, fewer at
// its end); with pageZeros, followed by the zeros a mapping shows past the
// end of the file, to the end of data.
func showsLowerCopy(ev *backend.Evidence, paths []string, offset, n int, data string, pageZeros bool) bool {
	if len(ev.Stack) < 2 {
		return false
	}
	for _, p := range paths {
		for _, lower := range ev.Stack[1:] {
			b, err := layerData(ev.Stack[1:], filepath.Join(lower, fsop.CleanRel(p)))
			if err != nil || offset > len(b) {
				continue
			}
			want := fmt.Sprintf("%x", b[offset:min(offset+n, len(b))])
			if pageZeros && len(want) < len(data) {
				want += strings.Repeat("0", len(data)-len(want))
			}
			if want == data {
				return true
			}
		}
	}
	return false
}

// readData returns the data (hex) of two read outcomes "ok len=N
// data=HEX" that differ.
func readData(ref, merged string) (string, string, bool) {
	var rl, ml int
	var rd, md string
	if n, _ := fmt.Sscanf(ref, "ok len=%d data=%s", &rl, &rd); n != 2 {
		return "", "", false
	}
	if n, _ := fmt.Sscanf(merged, "ok len=%d data=%s", &ml, &md); n != 2 {
		return "", "", false
	}
	return rd, md, rd != md
}

// matchExecNoETXTBSY: the reference refused with ETXTBSY an open for
// writing (or a truncate) of a regular file that a read-only layer of the
// stack holds, and the merged view allowed it. Refusals of anything else,
// or another errno, stay failures.
func matchExecNoETXTBSY(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindErrno || f.Reference != "ETXTBSY" || f.Merged != string(fsop.OK) || len(ev.Stack) < 2 {
		return false
	}
	var p string
	switch op := ev.Op.(type) {
	case fsop.Open:
		if op.Flags&unix.O_ACCMODE == unix.O_RDONLY && op.Flags&unix.O_TRUNC == 0 || strings.HasSuffix(op.Path, "/") {
			return false
		}
		p = op.Path
	case fsop.Truncate:
		p = op.Path
	default:
		return false
	}
	for _, lower := range ev.Stack[1:] {
		if st, err := os.Stat(filepath.Join(lower, fsop.CleanRel(p))); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// readRegular reads the file at name if it is a regular file: a name the
// scenario gave may be a fifo in a lower layer, whose open(2) would wait
// for a writer forever (O_NONBLOCK: nor hang if it became one since).
func readRegular(name string) ([]byte, error) {
	fi, err := os.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	f, err := os.OpenFile(name, os.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// layerData is the data of the layer file at p as overlayfs reads it: a
// metacopy with an absolute redirect takes its data from the layer below
// that holds the redirect's path (a data-only layer: overlayfs.rst,
// "Data-only lower layers"), anything else is its own data.
func layerData(stack []string, p string) ([]byte, error) {
	buf := make([]byte, 4096)
	if _, err := unix.Lgetxattr(p, "trusted.overlay.metacopy", nil); err == nil {
		if n, err := unix.Lgetxattr(p, "trusted.overlay.redirect", buf); err == nil && n > 0 && buf[0] == '/' {
			for _, l := range stack {
				if b, err := readRegular(filepath.Join(l, string(buf[:n]))); err == nil {
					return b, nil
				}
			}
		}
	}
	return readRegular(p)
}
