package idmap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// overlayOver mounts kernel overlay at dir/m over the lower dir/l (by its
// mapped path, so Stack attaches it idmapped) and an upper on the side
// mapUpper says; it returns the merged view and the raw upper.
func overlayOver(t *testing.T, v *View, dir string, mapUpper bool) (merged, rawUpper string, done func()) {
	t.Helper()
	side := func(p string) string {
		if mapUpper {
			return v.MappedPath(p)
		}
		return p
	}
	must(t, os.Mkdir(filepath.Join(dir, "m"), 0o755))
	must(t, os.Mkdir(side(filepath.Join(dir, "s")), 0o755))
	must(t, os.Mkdir(side(filepath.Join(dir, "s/u")), 0o755))
	must(t, os.Mkdir(side(filepath.Join(dir, "s/w")), 0o755))
	lowers, upper, work, release, err := v.Stack([]string{v.MappedPath(filepath.Join(dir, "l"))}, side(filepath.Join(dir, "s/u")), side(filepath.Join(dir, "s/w")))
	if err != nil {
		t.Fatal(err)
	}
	merged = filepath.Join(dir, "m")
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", lowers[0], upper, work)
	if err := unix.Mount("overlay", merged, "overlay", 0, opts); err != nil {
		release()
		t.Fatalf("overlay over idmapped layers: %v", err)
	}
	return merged, filepath.Join(dir, "s/u"), func() {
		must(t, unix.Unmount(merged, 0))
		must(t, release())
	}
}

// TestOverlayUnmappedOwnerInLower: a lower file whose on-disk owner is
// outside the mapping shows as the overflow id; chmod, chown and a write
// (each a copy-up) are refused with EOVERFLOW and leave no copy in the
// upper; a mapped owner's file is copied up keeping its host id where the
// upper is mapped, its container id where it is plain; the same lower
// mounted without the mapping shows the raw host ids.
func TestOverlayUnmappedOwnerInLower(t *testing.T) {
	for _, mapUpper := range []bool{false, true} {
		privateTmpfs(t, func(dir string) {
			v := mappedView(t, dir)
			if v == nil {
				return
			}
			defer v.Close()
			l := filepath.Join(dir, "l")
			must(t, os.Mkdir(l, 0o755))
			must(t, os.Lchown(l, 100000, 100000))
			ref := filepath.Join(dir, "ref")
			must(t, os.Mkdir(ref, 0o755))
			must(t, os.Lchown(ref, 100000, 100000))
			for _, d := range []string{l, ref} { // a fresh file for each op
				for name, id := range map[string]int{"unmapped": 7, "mapped": 101000, "chmod": 7, "chown": 7, "write": 7, "unlink": 7} {
					must(t, os.WriteFile(filepath.Join(d, name), []byte(name), 0o666))
					must(t, os.Lchown(filepath.Join(d, name), id, id))
				}
				must(t, os.Link(filepath.Join(d, "unlink"), filepath.Join(d, "unlink-link")))
			}
			merged, rawUpper, done := overlayOver(t, v, dir, mapUpper)
			defer done()
			if u, g := owner(t, filepath.Join(merged, "unmapped")); u != Overflow || g != Overflow {
				t.Errorf("upper mapped %v: unmapped owner shows as %d:%d, want overflow", mapUpper, u, g)
			}
			compareOnUnmapped(t, mapUpper, merged, v.MappedPath(ref))
			if _, err := os.Lstat(filepath.Join(rawUpper, "chmod")); !os.IsNotExist(err) {
				t.Errorf("upper mapped %v: a refused copy-up left the file in the upper: %v", mapUpper, err)
			}
			must(t, os.Chmod(filepath.Join(merged, "mapped"), 0o640))
			want := uint32(1000) // a plain upper stores what the container sees
			if mapUpper {
				want = 101000 // a mapped upper stores the host id
			}
			if u, g := owner(t, filepath.Join(rawUpper, "mapped")); u != want || g != want {
				t.Errorf("upper mapped %v: copied-up file stored as %d:%d, want %d", mapUpper, u, g, want)
			}
			// The same lower without the mapping: the raw ids.
			if u, _ := owner(t, filepath.Join(l, "mapped")); u != 101000 {
				t.Errorf("the lower without the mapping shows %d, want the host id 101000", u)
			}
		})
	}
}

// compareOnUnmapped applies each op to a file whose owner is outside the
// mapping, in the merged view and in a plain directory through the same
// mapping (mappedRef), and compares the errnos.
func compareOnUnmapped(t *testing.T, mapUpper bool, merged, mappedRef string) {
	t.Helper()
	for _, c := range []struct {
		what string
		op   func(string) error
		// known: overlay's errno where it differs from the plain
		// directory's (a known issue, see the report).
		known unix.Errno
	}{
		{"chmod", func(p string) error { return os.Chmod(p, 0o600) }, 0},
		// overlay refuses the copy-up of a file whose owner has no
		// mapping (EOVERFLOW) before the chown that would give it a
		// mapped owner; a plain directory lets container root take the
		// file over.
		{"chown", func(p string) error { return os.Lchown(p, 0, 0) }, unix.EOVERFLOW},
		{"write", func(p string) error { return os.WriteFile(p, []byte("x"), 0) }, 0},
		{"unlink-link", unix.Unlink, 0},
	} {
		got := errnoOf(orNil(c.op(filepath.Join(merged, c.what))))
		want := errnoOf(orNil(c.op(filepath.Join(mappedRef, c.what))))
		if c.known != 0 && got == c.known && got != want {
			t.Logf("upper mapped %v: %s of the unmapped owner's file: overlay %v, plain through the mapping %v (known)", mapUpper, c.what, got, want)
			continue
		}
		if got != want {
			t.Errorf("upper mapped %v: %s of the unmapped owner's file: overlay %v, plain through the mapping %v", mapUpper, c.what, got, want)
		}
	}
}

// orNil keeps err (nil stays nil: errnoOf(nil) would be EIO).
func orNil(err error) error {
	if err == nil {
		return unix.Errno(0)
	}
	return err
}

// TestOverlayIdmappedUpperOnly: overlay (6.18) takes an idmapped upper
// over plain lowers (--idmap upper). A lower owner shows as it is stored;
// a copy-up stores the mapped host id in the upper, a new file container
// root's host id; a lower file whose owner the mapping cannot store (a
// container id past it) is shown as it is but cannot be copied up
// (EOVERFLOW), and the refused copy-up leaves nothing in the upper.
func TestOverlayIdmappedUpperOnly(t *testing.T) {
	privateTmpfs(t, func(dir string) {
		v := mappedView(t, dir)
		if v == nil {
			return
		}
		defer v.Close()
		l := filepath.Join(dir, "l")
		must(t, os.Mkdir(l, 0o755))
		for name, id := range map[string]int{"mine": 1000, "far": 70000} {
			must(t, os.WriteFile(filepath.Join(l, name), []byte(name), 0o644))
			must(t, os.Lchown(filepath.Join(l, name), id, id))
		}
		must(t, os.Mkdir(filepath.Join(dir, "m"), 0o755))
		must(t, os.Mkdir(filepath.Join(dir, "s"), 0o755))
		// container root's, as the harness's idmapOwnDir; upper and work
		// made through the mapping (owned by an unmapped id, overlay
		// could not make its work dir in them and would mount read-only)
		must(t, os.Lchown(filepath.Join(dir, "s"), 100000, 100000))
		must(t, os.Mkdir(v.MappedPath(filepath.Join(dir, "s/u")), 0o755))
		must(t, os.Mkdir(v.MappedPath(filepath.Join(dir, "s/w")), 0o755))
		_, upper, work, release, err := v.Stack(nil, v.MappedPath(filepath.Join(dir, "s/u")), v.MappedPath(filepath.Join(dir, "s/w")))
		if err != nil {
			t.Error(err)
			return
		}
		defer func() { must(t, release()) }()
		merged := filepath.Join(dir, "m")
		if err := unix.Mount("overlay", merged, "overlay", 0, fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", l, upper, work)); err != nil {
			t.Errorf("overlay refuses an idmapped upper over a plain lower: %v", err)
			return
		}
		defer func() { must(t, unix.Unmount(merged, 0)) }()
		if u, _ := owner(t, filepath.Join(merged, "far")); u != 70000 {
			t.Errorf("plain lower's owner 70000 shows as %d", u)
		}
		must(t, os.Chmod(filepath.Join(merged, "mine"), 0o600))
		must(t, os.WriteFile(filepath.Join(merged, "new"), nil, 0o644))
		raw := filepath.Join(dir, "s/u")
		for name, want := range map[string]uint32{"mine": 101000, "new": 100000} {
			if u, g := owner(t, filepath.Join(raw, name)); u != want || g != want {
				t.Errorf("%s stored in the idmapped upper as %d:%d, want the host id %d", name, u, g, want)
			}
		}
		if u, _ := owner(t, filepath.Join(merged, "mine")); u != 1000 {
			t.Errorf("copied-up file shows as %d, want 1000", u)
		}
		if err := os.Chmod(filepath.Join(merged, "far"), 0o600); !errors.Is(err, unix.EOVERFLOW) {
			t.Errorf("copy-up of an owner the upper's mapping cannot store: %v, want EOVERFLOW", err)
		}
		if _, err := os.Lstat(filepath.Join(raw, "far")); !os.IsNotExist(err) {
			t.Errorf("a refused copy-up left the file in the upper: %v", err)
		}
	})
}

// TestOverlayUnmappedOwnersOfLinksAndWhiteouts: in the top lower layer a
// hardlink pair, a whiteout and an opaque directory owned by an id outside
// the mapping (7). Through idmapped lowers the whiteout and the opaque
// directory still hide what lies below, the pair shows the overflow owner
// as one inode whose names cannot be unlinked (EOVERFLOW), while an
// unlink of a mapped owner's file stores a whiteout of container root's
// in the upper (its host id where the upper is mapped). The same
// layers mounted without the mapping show exactly the ids the mapping
// hides: every entry's owner there, shown through the mapping, is the
// owner of the mapped mount.
func TestOverlayUnmappedOwnersOfLinksAndWhiteouts(t *testing.T) {
	for _, mapUpper := range []bool{false, true} {
		privateTmpfs(t, func(dir string) {
			v := mappedView(t, dir)
			if v == nil {
				return
			}
			defer v.Close()
			top, bottom := linksAndWhiteoutsLayers(t, dir)
			merged, rawMerged, done := mountTwoWays(t, v, dir, top, bottom, mapUpper)
			if merged == "" {
				return
			}
			defer done()
			checkShownThroughMapping(t, v.Mapping(), merged, rawMerged)
			for _, p := range []string{"gone", "d/hidden"} {
				if _, err := os.Lstat(filepath.Join(merged, p)); !os.IsNotExist(err) {
					t.Errorf("upper mapped %v: %s shows through a whiteout or opaque dir owned by an unmapped id: %v", mapUpper, p, err)
				}
			}
			var st1, st2 unix.Stat_t
			must(t, unix.Lstat(filepath.Join(merged, "h1"), &st1))
			must(t, unix.Lstat(filepath.Join(merged, "h2"), &st2))
			if st1.Ino != st2.Ino || st1.Uid != Overflow || st2.Gid != Overflow {
				t.Errorf("upper mapped %v: unmapped hardlink pair shows inodes %d, %d owned %d:%d", mapUpper, st1.Ino, st2.Ino, st2.Uid, st2.Gid)
			}
			// Neither name can go (EOVERFLOW, as on a plain idmapped
			// directory: the kernel deletes nothing whose owner it
			// cannot map) and nothing is copied up; a mapped owner's
			// file goes, leaving a whiteout of container root's.
			if err := os.Remove(filepath.Join(merged, "h2")); !errors.Is(err, unix.EOVERFLOW) {
				t.Errorf("upper mapped %v: unlink of an unmapped owner's hardlink: %v, want EOVERFLOW", mapUpper, err)
			}
			if _, err := os.Lstat(filepath.Join(dir, "s/u/h2")); !os.IsNotExist(err) {
				t.Errorf("upper mapped %v: a refused unlink left h2 in the upper: %v", mapUpper, err)
			}
			must(t, os.Remove(filepath.Join(merged, "mine")))
			want := uint32(0)
			if mapUpper {
				want = 100000
			}
			if u, g := owner(t, filepath.Join(dir, "s/u/mine")); u != want || g != want {
				t.Errorf("upper mapped %v: whiteout of mine stored as %d:%d, want %d", mapUpper, u, g, want)
			}
			if u, _ := owner(t, filepath.Join(merged, "h1")); u != Overflow {
				t.Errorf("upper mapped %v: h1 after its other name went shows %d, want overflow", mapUpper, u)
			}
		})
	}
}

// linksAndWhiteoutsLayers makes the lowers of
// TestOverlayUnmappedOwnersOfLinksAndWhiteouts beneath dir: the bottom
// holds gone and d/hidden; the top a whiteout of gone, d opaque, the pair
// h1 = h2, all owned by the unmapped id 7, and mine, container uid 1000's.
func linksAndWhiteoutsLayers(t *testing.T, dir string) (top, bottom string) {
	bottom, top = filepath.Join(dir, "l0"), filepath.Join(dir, "l1")
	for _, d := range []string{bottom, top, bottom + "/d", top + "/d"} {
		must(t, os.Mkdir(d, 0o755))
		must(t, os.Lchown(d, 100000, 100000))
	}
	for _, f := range []string{"gone", "d/hidden"} {
		must(t, os.WriteFile(filepath.Join(bottom, f), []byte(f), 0o644))
	}
	must(t, unix.Mknod(filepath.Join(top, "gone"), unix.S_IFCHR, 0))                          // whiteout
	must(t, unix.Setxattr(filepath.Join(top, "d"), "trusted.overlay.opaque", []byte("y"), 0)) // opaque
	must(t, os.WriteFile(filepath.Join(top, "h1"), []byte("h"), 0o644))
	must(t, os.Link(filepath.Join(top, "h1"), filepath.Join(top, "h2")))
	must(t, os.WriteFile(filepath.Join(top, "mine"), nil, 0o644))
	must(t, os.Lchown(filepath.Join(top, "mine"), 101000, 101000))
	for _, p := range []string{"gone", "d", "h1"} {
		must(t, os.Lchown(filepath.Join(top, p), 7, 7))
	}
	return top, bottom
}

// mountTwoWays mounts overlay at dir/m over the lowers top and bottom
// through the mapping, with an upper on the side mapUpper says, and at
// dir/raw-m over the same lowers without it (no upper); merged is "" if
// that failed (reported). done unmounts both.
func mountTwoWays(t *testing.T, v *View, dir, top, bottom string, mapUpper bool) (merged, rawMerged string, done func()) {
	t.Helper()
	side := func(p string) string {
		if mapUpper {
			return v.MappedPath(p)
		}
		return p
	}
	must(t, os.Mkdir(filepath.Join(dir, "s"), 0o755))
	must(t, os.Lchown(filepath.Join(dir, "s"), 100000, 100000))
	for _, d := range []string{"m", "raw-m"} {
		must(t, os.Mkdir(filepath.Join(dir, d), 0o755))
	}
	for _, d := range []string{"s/u", "s/w"} {
		must(t, os.Mkdir(side(filepath.Join(dir, d)), 0o755))
	}
	lowers, upper, work, release, err := v.Stack([]string{v.MappedPath(top), v.MappedPath(bottom)}, side(filepath.Join(dir, "s/u")), side(filepath.Join(dir, "s/w")))
	if err != nil {
		t.Error(err)
		return "", "", nil
	}
	merged, rawMerged = filepath.Join(dir, "m"), filepath.Join(dir, "raw-m")
	if err := unix.Mount("overlay", merged, "overlay", 0, fmt.Sprintf("lowerdir=%s:%s,upperdir=%s,workdir=%s", lowers[0], lowers[1], upper, work)); err != nil {
		t.Errorf("overlay over idmapped layers: %v", err)
		must(t, release())
		return "", "", nil
	}
	if err := unix.Mount("overlay", rawMerged, "overlay", 0, fmt.Sprintf("lowerdir=%s:%s", top, bottom)); err != nil {
		t.Errorf("overlay over the raw layers: %v", err)
		must(t, unix.Unmount(merged, 0))
		must(t, release())
		return "", "", nil
	}
	return merged, rawMerged, func() {
		must(t, unix.Unmount(rawMerged, 0))
		must(t, unix.Unmount(merged, 0))
		must(t, release())
	}
}

// checkShownThroughMapping walks the raw merged view: every entry is in
// the mapped one, owned by what its raw owner shows as through m.
func checkShownThroughMapping(t *testing.T, m Mapping, mapped, raw string) {
	t.Helper()
	n := 0
	err := filepath.Walk(raw, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(raw, p)
		if rel == "." {
			return nil
		}
		var rs, ms unix.Stat_t
		if err := unix.Lstat(p, &rs); err != nil {
			return err
		}
		if err := unix.Lstat(filepath.Join(mapped, rel), &ms); err != nil {
			t.Errorf("%s: in the raw view, not the mapped one: %v", rel, err)
			return nil
		}
		n++
		if ms.Uid != m.ShownUID(rs.Uid) || ms.Gid != m.ShownGID(rs.Gid) {
			t.Errorf("%s: raw owner %d:%d shows as %d:%d through the mapping, want %d:%d", rel, rs.Uid, rs.Gid, ms.Uid, ms.Gid, m.ShownUID(rs.Uid), m.ShownGID(rs.Gid))
		}
		return nil
	})
	must(t, err)
	if n < 3 {
		t.Errorf("compared %d entries, want the lowers' 3 at least", n)
	}
}
