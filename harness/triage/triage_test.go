package triage

import (
	"bytes"
	"testing"

	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestSignatureIgnoresWhereAndKeepsWhat: the path, the scenario and the
// values that vary (an xattr's name, a file's own mode) do not change a
// signature; the kind, the field, the errno, the bits and the known issue
// do.
func TestSignatureIgnoresWhereAndKeepsWhat(t *testing.T) {
	mode := func(p, ref, got string) snapshot.Finding {
		return snapshot.Finding{Kind: snapshot.KindMode, Path: p, Field: "mode", Reference: ref, Merged: got}
	}
	same := [][2]snapshot.Finding{
		{mode("a", "2770", "0770"), mode("b/c", "2755", "0755")},
		{mode("a", "0644", "0600"), mode("b", "0700", "0750")},
		{{Kind: snapshot.KindLink, Field: "nlink"}, {Kind: snapshot.KindLink, Field: "links"}},
		{{Kind: snapshot.KindPersistence, Field: "access user"}, {Kind: snapshot.KindPersistence, Field: "access other"}},
		{{Kind: snapshot.KindXattr, Path: "a", Field: "xattrs:user.a"}, {Kind: snapshot.KindXattr, Path: "b", Field: "xattrs:user.b"}},
		{{Kind: snapshot.KindMissing, Path: "a", Reference: "file"}, {Kind: snapshot.KindMissing, Path: "z", Reference: "file", Beneath: 3}},
	}
	for _, c := range same {
		if a, b := Signature(c[0]), Signature(c[1]); a != b {
			t.Errorf("%v and %v: signatures %q and %q, want equal", c[0], c[1], a, b)
		}
	}
	errno := func(op, got string) snapshot.Finding {
		return snapshot.Finding{Kind: snapshot.KindErrno, Path: "a", Field: op, Reference: "ok", Merged: got}
	}
	known := mode("a", "2770", "0770")
	known.KnownIssue = "setgid-dropped"
	differ := [][2]snapshot.Finding{
		{mode("a", "2770", "0770"), mode("a", "0644", "0600")},
		{mode("a", "0755", "4755"), mode("a", "0644", "0600")},
		{errno("rename", "EXDEV"), errno("rename", "EPERM")},
		{errno("rename", "EXDEV"), errno("link", "EXDEV")},
		{mode("a", "2770", "0770"), known},
		{{Kind: snapshot.KindMissing, Reference: "file"}, {Kind: snapshot.KindMissing, Reference: "dir"}},
		{{Kind: snapshot.KindAccess, Field: "user", Widened: true}, {Kind: snapshot.KindAccess, Field: "user"}},
	}
	for _, c := range differ {
		if a, b := Signature(c[0]), Signature(c[1]); a == b {
			t.Errorf("%v and %v: both %q, want different", c[0], c[1], a)
		}
	}
	if got := Signature(mode("a", "2770", "0770")); got != "mode lost setgid" {
		t.Errorf("setgid dropped: %q", got)
	}
}

// TestBaselineRoundTrip: what WriteTo writes, ReadBaseline reads back,
// comments apart from signatures.
func TestBaselineRoundTrip(t *testing.T) {
	b := NewBaseline([]string{"mode lost setgid", "errno rename EXDEV (reference ok)"}, "recorded on kernel 6.18")
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	want := "# recorded on kernel 6.18\nerrno rename EXDEV (reference ok)\nmode lost setgid\n"
	if buf.String() != want {
		t.Fatalf("file:\n%s\nwant:\n%s", buf.String(), want)
	}
	back, err := ReadBaseline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Signatures) != 2 || !back.Has("mode lost setgid") || back.Has("recorded on kernel 6.18") || len(back.Comment) != 1 {
		t.Errorf("read back: %+v", back)
	}
}

// TestSignatureOfSuccessfulOutcomes: two ops that both succeeded but saw
// different things sign by what differs, not by the file's own values: a
// stale read of any file is one deviation, an nlink off by one another.
func TestSignatureOfSuccessfulOutcomes(t *testing.T) {
	read := func(m, r string) snapshot.Finding {
		return snapshot.Finding{Kind: snapshot.KindErrno, Field: "read-fd", Merged: m, Reference: r}
	}
	a := Signature(read("ok len=13 data=6672", "ok len=18 data=66726d"))
	b := Signature(read("ok len=2 data=61", "ok len=3 data=6162"))
	if a != b || a != "errno read-fd ok, but other len, data than the reference" {
		t.Errorf("stale reads of two files: %q and %q", a, b)
	}
	fstat := snapshot.Finding{Kind: snapshot.KindErrno, Field: "fstat-fd", Merged: "ok file mode=0644 size=13 nlink=1", Reference: "ok file mode=0644 size=13 nlink=0"}
	if got := Signature(fstat); got != "errno fstat-fd ok nlink=1 (reference ok nlink=0)" {
		t.Errorf("fstat: %q", got)
	}
	if got := Signature(read("EIO", "ok len=2 data=61")); got != "errno read-fd EIO (reference ok len=2 data=61)" {
		t.Errorf("a failed read keeps both outcomes: %q", got)
	}
}
