package commit

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tent is one entry of a hand-made tar.
type tent struct {
	hdr  tar.Header
	data string
}

func reg(name, data string, mode int64) tent {
	return tent{tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))}, data}
}
func dirEnt(name string, mode int64) tent {
	return tent{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode}}
}
func symlinkEnt(name, target string) tent {
	return tent{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}}
}
func linkEnt(name, target string) tent {
	return tent{hdr: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target}}
}

func tarOf(t *testing.T, ents ...tent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		h := e.hdr
		h.Format = tar.FormatPAX
		if h.ModTime.IsZero() {
			h.ModTime = time.Unix(1000, 5)
		}
		must(t, tw.WriteHeader(&h))
		_, err := tw.Write([]byte(e.data))
		must(t, err)
	}
	must(t, tw.Close())
	return buf.Bytes()
}

// Apply refuses names that leave the target, and writes nothing outside
// it whatever the tar's symlinks say.
func TestApplyStaysInside(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	writeFile(t, outside+"/sentinel", "keep\n", 0o644)
	cases := map[string][]tent{
		"dotdot":            {reg("../x", "x", 0o644)},
		"dotdot-inside":     {dirEnt("a/", 0o755), reg("a/../../x", "x", 0o644)},
		"absolute":          {reg(outside+"/pwned", "x", 0o644)},
		"symlink-abs":       {symlinkEnt("evil", outside), reg("evil/pwned", "x", 0o644)},
		"symlink-rel":       {symlinkEnt("evil", "../outside"), reg("evil/pwned", "x", 0o644)},
		"symlink-dir":       {symlinkEnt("evil", outside), dirEnt("evil/sub/", 0o755)},
		"link-out":          {linkEnt("hl", "../outside/sentinel")},
		"link-via-symlink":  {symlinkEnt("evil", outside), linkEnt("hl", "evil/sentinel")},
		"whiteout-out":      {symlinkEnt("evil", outside), reg("evil/.wh.sentinel", "", 0o644)},
		"opaque-out":        {symlinkEnt("evil", outside), reg("evil/.wh..wh..opq", "", 0o644)},
		"whiteout-dotdot":   {reg("../outside/.wh.sentinel", "", 0o644)},
		"symlink-then-dots": {symlinkEnt("up", ".."), reg("up/outside/pwned", "x", 0o644)},
	}
	before := snapshot(t, base, nil)
	for name, ents := range cases {
		dst := filepath.Join(base, "dst-"+name)
		must(t, os.Mkdir(dst, 0o755))
		err := Apply(bytes.NewReader(tarOf(t, ents...)), dst)
		if err == nil {
			t.Errorf("%s: Apply returned no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	after := snapshot(t, base, func(rel string) bool { return strings.HasPrefix(rel, "dst-") })
	delete(before, ".") // its mtime moved when the targets were made
	delete(after, ".")
	for _, d := range diffSnaps(before, after) {
		t.Errorf("outside the targets: %s", d)
	}
}

// A symlink in the target that points out is replaced, never written
// through.
func TestApplyReplacesSymlinks(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	writeFile(t, outside+"/sentinel", "keep\n", 0o644)
	dst := filepath.Join(base, "dst")
	must(t, os.Mkdir(dst, 0o755))
	must(t, os.Symlink(outside+"/sentinel", dst+"/f"))
	must(t, os.Symlink(outside, dst+"/d"))
	must(t, os.Symlink(outside+"/sentinel", dst+"/w"))
	b := tarOf(t, reg("f", "new\n", 0o600), dirEnt("d/", 0o700), reg("d/x", "x", 0o600), reg(".wh.w", "", 0o600))
	must(t, Apply(bytes.NewReader(b), dst))
	if got, _ := os.ReadFile(outside + "/sentinel"); string(got) != "keep\n" {
		t.Errorf("sentinel outside changed: %q", got)
	}
	if got, _ := os.ReadFile(dst + "/f"); string(got) != "new\n" {
		t.Errorf("f = %q", got)
	}
	if _, err := os.Lstat(outside + "/x"); err == nil {
		t.Errorf("d/x was written through the symlink")
	}
	if _, err := os.Lstat(dst + "/w"); err == nil {
		t.Errorf("w was not whited out")
	}
}

// Modes, owners, xattrs and times come out exactly as the tar says,
// whatever the umask.
func TestApplyExactMetadata(t *testing.T) {
	needRoot(t)
	dst := t.TempDir()
	mt := time.Unix(1234567890, 123456789)
	withMeta := func(e tent, uid, gid int, xattrs map[string]string) tent {
		e.hdr.Uid, e.hdr.Gid, e.hdr.ModTime = uid, gid, mt
		if len(xattrs) > 0 {
			e.hdr.PAXRecords = map[string]string{}
			for k, v := range xattrs {
				e.hdr.PAXRecords["SCHILY.xattr."+k] = v
			}
		}
		return e
	}
	ents := []tent{
		withMeta(dirEnt("./", 0o711), 3, 4, map[string]string{"user.root": "r"}),
		withMeta(dirEnt("sticky/", 0o1777), 0, 0, nil),
		withMeta(reg("sticky/suid", "s", 0o4755), 1, 2, map[string]string{"user.a": "1", "trusted.b": "\x00\x01"}),
		withMeta(reg("sgid", "g", 0o2711), 5, 6, nil),
		withMeta(dirEnt("ro/", 0o555), 0, 0, nil),
		withMeta(reg("ro/none", "n", 0), 7, 7, nil),
		withMeta(tent{hdr: tar.Header{Typeflag: tar.TypeFifo, Name: "fifo", Mode: 0o666}}, 9, 9, nil),
		withMeta(tent{hdr: tar.Header{Typeflag: tar.TypeChar, Name: "null", Mode: 0o640, Devmajor: 1, Devminor: 3}}, 0, 0, nil),
		withMeta(symlinkEnt("ln", "/nowhere"), 11, 12, map[string]string{"trusted.l": "l"}),
		withMeta(linkEnt("sgid2", "sgid"), 0, 0, nil),
	}
	old := syscall.Umask(0o077)
	err := Apply(bytes.NewReader(tarOf(t, ents...)), dst)
	syscall.Umask(old)
	must(t, err)
	want := map[string]string{
		".":           "dir 0711 3:4 user.root=\"r\"",
		"sticky":      "dir 1777 0:0 ",
		"sticky/suid": "file 4755 1:2 trusted.b=\"\\x00\\x01\" user.a=\"1\"",
		"sgid":        "file 2711 5:6 ",
		"sgid2":       "file 2711 5:6 ",
		"ro":          "dir 0555 0:0 ",
		"ro/none":     "file 0000 7:7 ",
		"fifo":        "fifo 0666 9:9 ",
		"null":        "chardev 0640 0:0 ",
		"ln":          "symlink 0777 11:12 trusted.l=\"l\"",
	}
	got := snapshot(t, dst, nil)
	for p, w := range want {
		e := got[p]
		if s := e.Type + " " + e.Mode + fmt.Sprintf(" %d:%d ", e.UID, e.GID) + e.Xattrs; s != w {
			t.Errorf("%s: got %s, want %s", p, s, w)
		}
		if e.Mtime != "1234567890.123456789" {
			t.Errorf("%s: mtime %s", p, e.Mtime)
		}
	}
	if got["sgid"].Links != "sgid,sgid2" {
		t.Errorf("sgid2 is no hardlink of sgid: %q", got["sgid"].Links)
	}
}

// Whiteouts and opaque markers act on the layers below only, in any
// order; an entry replaces what is there.
func TestApplyChangesets(t *testing.T) {
	needRoot(t)
	dst := t.TempDir()
	writeFile(t, dst+"/gone/deep/file", "x", 0o644)
	writeFile(t, dst+"/opq/old", "x", 0o644)
	writeFile(t, dst+"/opq/sub/old", "x", 0o644)
	writeFile(t, dst+"/late/old", "x", 0o644)
	writeFile(t, dst+"/late/sub/old", "x", 0o644)
	writeFile(t, dst+"/filetodir", "x", 0o644)
	writeFile(t, dst+"/dirtofile/x", "x", 0o644)
	writeFile(t, dst+"/keep/x", "x", 0o644)
	b := tarOf(t,
		reg(".wh.gone", "", 0o600),
		dirEnt("opq/", 0o755), reg("opq/.wh..wh..opq", "", 0o600), dirEnt("opq/sub/", 0o755), reg("opq/sub/new", "n", 0o644),
		dirEnt("late/", 0o755), dirEnt("late/sub/", 0o755), reg("late/sub/new", "n", 0o644), reg("late/.wh..wh..opq", "", 0o600),
		reg("mine", "m", 0o644), reg(".wh.mine", "", 0o600),
		dirEnt("filetodir/", 0o755), reg("dirtofile", "f", 0o644),
		reg("missing/parent/file", "p", 0o644),
	)
	must(t, Apply(bytes.NewReader(b), dst))
	got := snapshot(t, dst, nil)
	var names []string
	for p := range got {
		names = append(names, p+":"+got[p].Type)
	}
	want := []string{".:dir", "dirtofile:file", "filetodir:dir", "keep/x:file", "keep:dir", "late/sub/new:file", "late/sub:dir", "late:dir",
		"mine:file", "missing/parent/file:file", "missing/parent:dir", "missing:dir", "opq/sub/new:file", "opq/sub:dir", "opq:dir"}
	if strings.Join(sorted(names), " ") != strings.Join(sorted(want), " ") {
		t.Errorf("after Apply:\n got %v\nwant %v", sorted(names), sorted(want))
	}
	if e := got["missing"]; e.Mode != "0755" || e.UID != 0 {
		t.Errorf("a parent the tar leaves out: %+v", e)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
