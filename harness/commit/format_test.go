package commit

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// tarListing lists a tar as "name type [xattr names]" lines.
func tarListing(t *testing.T, b []byte) string {
	t.Helper()
	var lines []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		var xa []string
		for k, v := range h.PAXRecords {
			if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
				xa = append(xa, name+"="+v)
			}
		}
		sort.Strings(xa)
		line := fmt.Sprintf("%s %c", h.Name, h.Typeflag)
		if h.Typeflag == tar.TypeLink || h.Typeflag == tar.TypeSymlink {
			line += " -> " + h.Linkname
		}
		if len(xa) > 0 {
			line += " " + strings.Join(xa, ",")
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func setx(t *testing.T, p, name, v string) {
	t.Helper()
	must(t, unix.Lsetxattr(p, name, []byte(v), 0))
}

// formatCase is an upper written by hand in a format, and the tar listing
// Write must make of it.
type formatCase struct {
	f     Format
	build func(u string)
	want  string
}

// Uppers written by hand in each format read as the format says.
func TestWriteFormats(t *testing.T) {
	needRoot(t)
	d := dirs(t, "L0", "U")
	writeFile(t, d["L0"]+"/gone", "g", 0o644)
	writeFile(t, d["L0"]+"/dir/old", "o", 0o644)
	writeFile(t, d["L0"]+"/xd/gone", "g", 0o644)
	writeFile(t, d["L0"]+"/a/f", "f", 0o644)
	for _, c := range formatCases(t) {
		t.Run(string(c.f), func(t *testing.T) { // entries by the name they record, whiteouts too
			u := t.TempDir()
			c.build(u)
			var buf bytes.Buffer
			must(t, Write(&buf, u, []string{d["L0"]}, c.f))
			if got := tarListing(t, buf.Bytes()); got != c.want {
				t.Errorf("tar:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func formatCases(t *testing.T) []formatCase {
	return []formatCase{
		{Overlay, func(u string) {
			must(t, unix.Mknod(u+"/gone", unix.S_IFCHR, 0))
			mkdir(t, u+"/dir", 0o755)
			setx(t, u+"/dir", "trusted.overlay.opaque", "y")
			writeFile(t, u+"/dir/new", "n", 0o644)
			mkdir(t, u+"/xd", 0o755) // xattr whiteouts (6.7): a zero-size file in an opaque=x dir
			setx(t, u+"/xd", "trusted.overlay.opaque", "x")
			writeFile(t, u+"/xd/gone", "", 0o644)
			setx(t, u+"/xd/gone", "trusted.overlay.whiteout", "")
			writeFile(t, u+"/xd/kept", "", 0o644) // no whiteout xattr: a file
			writeFile(t, u+"/file", "x", 0o644)
			setx(t, u+"/file", "trusted.overlay.origin", "private")
			setx(t, u+"/file", "trusted.overlay.overlay.mine", "escaped")
			setx(t, u+"/file", "user.overlay.kept", "other namespace")
		}, "./ 5\ndir/ 5\ndir/.wh..wh..opq 0\ndir/new 0\nfile 0 trusted.overlay.mine=escaped,user.overlay.kept=other namespace\n.wh.gone 0\nxd/ 5\nxd/.wh.gone 0\nxd/kept 0"},
		{OverlayUserxattr, func(u string) {
			writeFile(t, u+"/file", "x", 0o644)
			setx(t, u+"/file", "user.overlay.origin", "private")
			setx(t, u+"/file", "user.overlay.overlay.mine", "escaped")
			setx(t, u+"/file", "trusted.overlay.kept", "other namespace")
		}, "./ 5\nfile 0 trusted.overlay.kept=other namespace,user.overlay.mine=escaped"},
		{FuseOverlayfs, func(u string) {
			writeFile(t, u+"/.wh.gone", "", 0o644)
			mkdir(t, u+"/dir", 0o755)
			writeFile(t, u+"/dir/.wh..wh..opq", "", 0o644) // no xattr: the marker decides
			writeFile(t, u+"/dir/new", "n", 0o644)
			mkdir(t, u+"/xd", 0o755)
			setx(t, u+"/xd", "trusted.overlay.opaque", "n") // set: decides, marker or not
			writeFile(t, u+"/xd/.wh..wh..opq", "", 0o644)
			writeFile(t, u+"/file", "x", 0o644)
			setx(t, u+"/file", "user.fuseoverlayfs.origin", "private")
			setx(t, u+"/file", "user.kept", "k")
		}, "./ 5\ndir/ 5\ndir/.wh..wh..opq 0\ndir/new 0\nfile 0 user.kept=k\n.wh.gone 0\nxd/ 5"},
		{UnionfsFuse, func(u string) {
			writeFile(t, u+"/.unionfs-fuse/gone_HIDDEN~", "", 0o644)
			writeFile(t, u+"/.unionfs-fuse/a/f_HIDDEN~", "", 0o644) // a/ is not in the upper
			mkdir(t, u+"/.unionfs-fuse/dir_HIDDEN~", 0o700)
			writeFile(t, u+"/dir/new", "n", 0o644) // marked and present: opaque
		}, "./ 5\na/ 5\na/.wh.f 0\ndir/ 5\ndir/.wh..wh..opq 0\ndir/new 0\n.wh.gone 0"},
	}
}

func TestWriteRejects(t *testing.T) {
	needRoot(t)
	d := dirs(t, "L0", "U")
	mkdir(t, d["L0"]+"/a", 0o755)
	mkdir(t, d["U"]+"/b", 0o755)
	setx(t, d["U"]+"/b", "trusted.overlay.redirect", "../../etc")
	if err := Write(io.Discard, d["U"], []string{d["L0"]}, Overlay); err == nil || !strings.Contains(err.Error(), "invalid redirect") {
		t.Errorf("a redirect with \"..\": %v", err)
	}
	if err := Write(io.Discard, d["U"], nil, "aufs"); err == nil {
		t.Errorf("an unknown format was taken")
	}
	if _, err := ParseFormat("overlay-userxattr"); err != nil {
		t.Error(err)
	}
}

// Explain lists what the upper pins: changed metadata and content of
// lower entries, not new entries or xattr-only changes.
func TestExplain(t *testing.T) {
	needRoot(t)
	s := newStackDirs(t)
	umount := mountOverlay(t, s.M, s.overlayOpts(""))
	commonOps(t, s.M, true)
	umount()
	got, err := Explain(s.U, s.lowers(), Overlay)
	must(t, err)
	var lines []string
	for _, sh := range got {
		lines = append(lines, fmt.Sprintf("%s %s %s %s", sh.Path, sh.Field, sh.Upper, sh.Lower))
	}
	want := []string{
		"a/f content sha256:5b9b6bc3f0a9a52ce0a5f8a8fe3a9cb7d2ec14b0b6f1b0fcb7d5f4e3a7c0c8a5 sha256:?",
		"a/sub mode 0700 0755",
		"d mode 0750 0755",
		"own owner 1000:1001 1234:5678",
		"perm mode 4755 0755",
	}
	if len(lines) != len(want) {
		t.Fatalf("Explain:\n%s\nwant (content sums aside):\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(want[i], "a/f content") && lines[i] != want[i] {
			t.Errorf("Explain[%d] = %s, want %s", i, lines[i], want[i])
		}
	}
	if !strings.HasPrefix(lines[0], "a/f content sha256:") || got[0].Upper == got[0].Lower {
		t.Errorf("Explain[0] = %s", lines[0])
	}
}
