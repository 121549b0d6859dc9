package layout

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/layercheck/layercheck/harness/internal/mounts"
	"golang.org/x/sys/unix"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounts filesystems: needs root")
	}
}

// needLayout skips a layout this machine cannot run, saying why.
func needLayout(t *testing.T, n Name) {
	t.Helper()
	needRoot(t)
	if why := Available(n); why != "" {
		t.Skipf("%s unavailable: %s", n, why)
	}
}

// tempRoot is the test's directory, with a check registered to run after
// everything else the test set up has been taken down (t.Cleanup is LIFO;
// t.TempDir's removal runs after it): nothing may remain mounted beneath
// it, and no loop device may be backed by a file beneath it.
func tempRoot(t *testing.T) string {
	root := t.TempDir()
	t.Cleanup(func() {
		if left, err := MountsBeneath(root); err != nil || len(left) > 0 {
			t.Errorf("left mounted beneath %s: %v (%v)", root, left, err)
		}
		if devs := loopsBackedBeneath(root); len(devs) > 0 {
			t.Errorf("loop devices left attached: %v", devs)
		}
	})
	return root
}

func loopsBackedBeneath(root string) []string {
	files, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
	var out []string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if within(root, strings.TrimSuffix(strings.TrimSpace(string(b)), " (deleted)")) {
			out = append(out, f+": "+strings.TrimSpace(string(b)))
		}
	}
	return out
}

// newScratch prepares layout n on a fresh directory under root and closes
// it when the test ends, failing the test if Close reports anything.
func newScratch(t *testing.T, n Name, root string, opts Options) *Storage {
	t.Helper()
	dir := filepath.Join(root, "run")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s, err := Scratch(n, dir, 16<<20, opts)
	if err != nil {
		t.Fatalf("Scratch(%s): %v", n, err)
	}
	t.Logf("cost %s: scratch (%s) ready in %v", n, s.FSType(), time.Since(start))
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestLayouts builds a two-layer stack on every layout this machine runs,
// seals both layers, mounts a kernel overlay on them and checks the
// merged view, then releases the scenario.
func TestLayouts(t *testing.T) {
	for _, n := range Names() {
		t.Run(string(n), func(t *testing.T) {
			needLayout(t, n)
			s := newScratch(t, n, tempRoot(t), Options{})
			wantFS := map[Name]string{Ext4: "ext4", XFS: "xfs", Btrfs: "btrfs"}[n]
			if wantFS == "" {
				wantFS = "tmpfs"
			}
			if s.FSType() != wantFS {
				t.Errorf("FSType = %s, want %s", s.FSType(), wantFS)
			}
			stackScenario(t, s)
		})
	}
}

// stackScenario is one scenario directory: layers top (whiteout, opaque
// dir, file, hardlinks, symlink) over bottom (what top hides), sealed,
// unioned, checked and released.
func stackScenario(t *testing.T, s *Storage) {
	sc := filepath.Join(s.Dir(), "scenario")
	top, bottom := filepath.Join(sc, "top"), filepath.Join(sc, "bottom")
	check(t, s.NewLayerDir(top))
	check(t, s.NewLayerDir(bottom))
	buildBottom(t, bottom)
	buildTop(t, top)
	lowers := make([]string, 2)
	for i, d := range []string{top, bottom} {
		start := time.Now()
		l, err := s.Seal(d)
		check(t, err)
		t.Logf("cost %s: seal one layer in %v", s.Name(), time.Since(start))
		if Sealed(s.Name()) == (l == d) {
			t.Errorf("Seal(%s) = %s, sealed layout %v", d, l, Sealed(s.Name()))
		}
		lowers[i] = l
	}
	checkPacked(t, lowers[0])
	upper, work, err := s.NewUpper(filepath.Join(sc, "u"))
	check(t, err)
	if s.Name() == PerLayer {
		checkOwnDevices(t, s.Dir(), top, bottom, upper, work)
	}
	merged := filepath.Join(sc, "merged")
	check(t, os.Mkdir(merged, 0o755))
	opts := "lowerdir=" + lowers[0] + ":" + lowers[1]
	if data := s.DataDirs(sc); len(data) > 0 { // composefs, dataonly
		opts += "::" + strings.Join(data, "::") + ",metacopy=on,redirect_dir=on"
	}
	opts += ",upperdir=" + upper + ",workdir=" + work
	check(t, unix.Mount("overlay", merged, "overlay", 0, opts))
	func() {
		defer func() { check(t, unix.Unmount(merged, 0)) }()
		checkMerged(t, merged, upper)
	}()
	releaseScenario(t, s, sc)
}

func buildBottom(t *testing.T, d string) {
	check(t, os.WriteFile(filepath.Join(d, "gone"), []byte("hidden by a whiteout\n"), 0o644))
	check(t, os.WriteFile(filepath.Join(d, "keep"), []byte("bottom\n"), 0o644))
	check(t, os.MkdirAll(filepath.Join(d, "opq", "inner"), 0o755))
}

func buildTop(t *testing.T, d string) {
	check(t, os.WriteFile(filepath.Join(d, "f"), []byte("hello\n"), 0o644))
	check(t, os.Mkdir(filepath.Join(d, "hl"), 0o755))
	check(t, os.WriteFile(filepath.Join(d, "hl", "a"), []byte("linked\n"), 0o644))
	check(t, os.Link(filepath.Join(d, "hl", "a"), filepath.Join(d, "hl", "b")))
	check(t, os.Symlink("f", filepath.Join(d, "sym")))
	check(t, unix.Mknod(filepath.Join(d, "gone"), unix.S_IFCHR|0o644, 0))
	opq := filepath.Join(d, "opq")
	check(t, os.Mkdir(opq, 0o755))
	check(t, unix.Setxattr(opq, "trusted.overlay.opaque", []byte("y"), 0))
	check(t, unix.Setxattr(opq, "user.x", []byte("1"), 0))
}

// checkPacked looks at the sealed top layer itself: the whiteout must
// still be a char 0/0 device and the opaque xattr still there, or the
// overlay checks below would pass for the wrong reason.
func checkPacked(t *testing.T, lower string) {
	var st unix.Stat_t
	check(t, unix.Lstat(filepath.Join(lower, "gone"), &st))
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("whiteout in %s: mode %o rdev %d, want char 0/0", lower, st.Mode, st.Rdev)
	}
	buf := make([]byte, 16)
	n, err := unix.Getxattr(filepath.Join(lower, "opq"), "trusted.overlay.opaque", buf)
	if err != nil || string(buf[:n]) != "y" {
		t.Errorf("trusted.overlay.opaque in %s: %q, %v", lower, buf[:max(n, 0)], err)
	}
}

func checkMerged(t *testing.T, merged, upper string) {
	if _, err := os.Lstat(filepath.Join(merged, "gone")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("whiteout does not hide gone: %v", err)
	}
	if got := dirNames(t, merged); !slices.Equal(got, []string{"f", "hl", "keep", "opq", "sym"}) {
		t.Errorf("merged root lists %v", got)
	}
	if got := dirNames(t, filepath.Join(merged, "opq")); len(got) != 0 {
		t.Errorf("opaque dir shows the lower's %v", got)
	}
	if b, err := os.ReadFile(filepath.Join(merged, "f")); err != nil || string(b) != "hello\n" {
		t.Errorf("f reads %q, %v", b, err)
	}
	var a, b unix.Stat_t
	check(t, unix.Lstat(filepath.Join(merged, "hl", "a"), &a))
	check(t, unix.Lstat(filepath.Join(merged, "hl", "b"), &b))
	if a.Ino != b.Ino || a.Dev != b.Dev || a.Nlink != 2 {
		t.Errorf("hardlink pair: ino %d/%d dev %d/%d nlink %d", a.Ino, b.Ino, a.Dev, b.Dev, a.Nlink)
	}
	if l, err := os.Readlink(filepath.Join(merged, "sym")); err != nil || l != "f" {
		t.Errorf("sym -> %q, %v", l, err)
	}
	buf := make([]byte, 16)
	if n, err := unix.Getxattr(filepath.Join(merged, "opq"), "user.x", buf); err != nil || string(buf[:n]) != "1" {
		t.Errorf("user.x through the overlay: %v", err)
	}
	checkWrites(t, merged, upper)
}

// checkWrites copies up and removes through the union: the upper and work
// dirs are usable.
func checkWrites(t *testing.T, merged, upper string) {
	check(t, os.WriteFile(filepath.Join(merged, "f"), []byte("changed\n"), 0o644))
	check(t, os.Remove(filepath.Join(merged, "keep")))
	if b, err := os.ReadFile(filepath.Join(upper, "f")); err != nil || string(b) != "changed\n" {
		t.Errorf("copy-up of f: %q, %v", b, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(upper, "keep"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		t.Errorf("no whiteout for keep in the upper: %v", err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	ents, err := os.ReadDir(dir)
	check(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// checkOwnDevices: perlayer gives each layer its own st_dev, and the
// upper and work dirs one shared st_dev of their own.
func checkOwnDevices(t *testing.T, scratch, top, bottom, upper, work string) {
	dev := func(p string) uint64 {
		var st unix.Stat_t
		check(t, unix.Stat(p, &st))
		return st.Dev
	}
	ds, dt, db, du, dw := dev(scratch), dev(top), dev(bottom), dev(upper), dev(work)
	if dt == db || dt == ds || db == ds || du == dt || du == db || du == ds {
		t.Errorf("perlayer st_dev: scratch %d top %d bottom %d upper %d", ds, dt, db, du)
	}
	if du != dw {
		t.Errorf("upper (%d) and work (%d) on different devices", du, dw)
	}
}

// releaseScenario releases the scenario directory: whatever the layout
// mounted there goes, and the scratch itself stays.
func releaseScenario(t *testing.T, s *Storage, sc string) {
	before, err := MountsBeneath(sc)
	check(t, err)
	want := map[Name]int{PerLayer: 3, Squashfs: 2, EROFS: 2, NFS: 2, Composefs: 2}[s.Name()]
	if len(before) != want {
		t.Errorf("mounted beneath the scenario before Release: %v, want %d", before, want)
	}
	check(t, s.Release(sc))
	if after, _ := MountsBeneath(sc); len(after) != 0 {
		t.Errorf("Release left %v", after)
	}
	if left, _ := filepath.Glob(filepath.Join(sc, "*.sealed")); len(left) != 0 {
		t.Errorf("Release left mount points %v", left)
	}
	if mps, _ := MountsBeneath(s.Dir()); !slices.Contains(mps, s.Dir()) {
		t.Errorf("Release took the scratch down: %v", mps)
	}
}

func TestParse(t *testing.T) {
	for _, n := range Names() {
		if got, err := Parse(string(n)); err != nil || got != n {
			t.Errorf("Parse(%s) = %s, %v", n, got, err)
		}
	}
	_, err := Parse("zfs")
	if err == nil || !strings.Contains(err.Error(), "erofs") || !strings.Contains(err.Error(), "samefs") {
		t.Errorf("Parse(zfs) error %v should list the known layouts", err)
	}
	if Available("zfs") == "" {
		t.Error("Available(zfs) is empty")
	}
	if Sealed(SameFS) || Sealed(PerLayer) || !Sealed(Squashfs) || !Sealed(EROFS) || !Sealed(NFS) {
		t.Error("Sealed is wrong")
	}
}

// TestBoundaries: nothing outside the scratch is mounted on, released or
// sealed, and releasing the scratch directory itself leaves it mounted.
func TestBoundaries(t *testing.T) {
	needLayout(t, PerLayer)
	root := tempRoot(t)
	s := newScratch(t, PerLayer, root, Options{})
	outside := filepath.Join(root, "outside")
	check(t, os.Mkdir(outside, 0o755))
	for name, err := range map[string]error{
		"NewLayerDir outside":  s.NewLayerDir(outside),
		"NewLayerDir scratch":  s.NewLayerDir(s.Dir()),
		"NewLayerDir escaping": s.NewLayerDir(s.Dir() + "/../outside"),
		"Release outside":      s.Release(root),
		"Release /":            s.Release("/"),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := s.Seal(outside); err == nil {
		t.Error("Seal outside: no error")
	}
	check(t, s.Release(s.Dir()))
	if mps, _ := MountsBeneath(root); !slices.Equal(mps, []string{s.Dir()}) {
		t.Errorf("mounts now %v, want only the scratch", mps)
	}
}

func TestScratchRefusesNonEmptyDir(t *testing.T) {
	needRoot(t)
	root := tempRoot(t)
	check(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o644))
	if s, err := Scratch(SameFS, root, 0, Options{}); err == nil {
		s.Close()
		t.Fatal("Scratch on a non-empty directory: no error")
	}
}

// TestScratchFailureUndoes: a Scratch that fails halfway leaves nothing
// mounted, and never touches an image file it did not make.
func TestScratchFailureUndoes(t *testing.T) {
	needLayout(t, Ext4)
	root := tempRoot(t)
	dir := filepath.Join(root, "run")
	check(t, os.Mkdir(dir, 0o755))
	check(t, os.WriteFile(dir+".ext4.img", []byte("not ours"), 0o644))
	if s, err := Scratch(Ext4, dir, 0, Options{}); err == nil {
		s.Close()
		t.Fatal("Scratch over an existing image: no error")
	}
	if b, _ := os.ReadFile(dir + ".ext4.img"); string(b) != "not ours" {
		t.Errorf("Scratch clobbered an existing file: %q", b)
	}
	check(t, os.Remove(dir+".ext4.img"))
	// mkfs fails (a block size it refuses): the image goes again.
	saved := mkfsArgs[Ext4]
	mkfsArgs[Ext4] = append(slices.Clone(saved), "-b", "12345")
	defer func() { mkfsArgs[Ext4] = saved }()
	if s, err := Scratch(Ext4, dir, 0, Options{}); err == nil {
		s.Close()
		t.Fatal("Scratch with a failing mkfs: no error")
	}
	assertGone(t, dir+".ext4.img")
}

// TestLoopMountFailureDetaches: an image that does not mount leaves no
// loop device attached (tempRoot checks) and nothing mounted.
func TestLoopMountFailureDetaches(t *testing.T) {
	needLayout(t, Squashfs)
	root := tempRoot(t)
	img, mnt := filepath.Join(root, "junk.img"), filepath.Join(root, "mnt")
	check(t, os.WriteFile(img, make([]byte, 1<<20), 0o644))
	check(t, os.Mkdir(mnt, 0o755))
	if undo, err := loopMount(img, mnt, "squashfs", sealedFlags); err == nil {
		check(t, undo())
		t.Fatal("mounting zeros as squashfs: no error")
	}
}

// TestCloseWithoutRelease: Close alone takes down layers, uppers, sealed
// images and the scratch (tempRoot checks mounts and loop devices).
func TestCloseWithoutRelease(t *testing.T) {
	for _, n := range []Name{PerLayer, Ext4, Squashfs, EROFS} {
		t.Run(string(n), func(t *testing.T) {
			needLayout(t, n)
			root := tempRoot(t)
			s := newScratch(t, n, root, Options{})
			layer := filepath.Join(s.Dir(), "sc", "l")
			check(t, s.NewLayerDir(layer))
			check(t, os.WriteFile(filepath.Join(layer, "f"), []byte("x"), 0o644))
			_, err := s.Seal(layer)
			check(t, err)
			_, _, err = s.NewUpper(filepath.Join(s.Dir(), "sc", "u"))
			check(t, err)
			check(t, s.Close())
			if imgs, _ := filepath.Glob(filepath.Join(root, "*.img")); len(imgs) > 0 {
				t.Errorf("images left: %v", imgs)
			}
			if err := s.NewLayerDir(layer + "2"); err == nil {
				t.Error("NewLayerDir after Close: no error")
			}
		})
	}
}

// posixACL is a system.posix_acl_access value: user::rw- user:1234:r--
// group::r-- mask::r-- other::r--.
func posixACL() []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, 2))
	for _, e := range []struct {
		tag, perm uint16
		id        uint32
	}{{1, 6, 0xffffffff}, {2, 4, 1234}, {4, 4, 0xffffffff}, {0x10, 4, 0xffffffff}, {0x20, 4, 0xffffffff}} {
		b.Write(le.AppendUint16(nil, e.tag))
		b.Write(le.AppendUint16(nil, e.perm))
		b.Write(le.AppendUint32(nil, e.id))
	}
	return b.Bytes()
}

// TestSealACL: erofs keeps a POSIX ACL; squashfs cannot, and Seal says so
// with ErrUnsupported instead of a layer without it, leaving nothing.
func TestSealACL(t *testing.T) {
	for _, n := range []Name{Squashfs, EROFS} {
		t.Run(string(n), func(t *testing.T) {
			needLayout(t, n)
			s := newScratch(t, n, tempRoot(t), Options{})
			layer := filepath.Join(s.Dir(), "l")
			check(t, s.NewLayerDir(layer))
			f := filepath.Join(layer, "f")
			check(t, os.WriteFile(f, []byte("x"), 0o644))
			check(t, unix.Setxattr(f, "system.posix_acl_access", posixACL(), 0))
			lower, err := s.Seal(layer)
			if n == Squashfs {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("Seal: %v, want ErrUnsupported", err)
				}
				assertGone(t, layer+".squashfs", layer+".sealed")
				return
			}
			check(t, err)
			buf := make([]byte, 256)
			sz, err := unix.Getxattr(filepath.Join(lower, "f"), "system.posix_acl_access", buf)
			if err != nil || !bytes.Equal(buf[:sz], posixACL()) {
				t.Errorf("ACL through erofs: %x, %v", buf[:max(sz, 0)], err)
			}
		})
	}
}

// TestSealMtime records what the package doc says: erofs keeps
// nanosecond mtimes, squashfs whole seconds.
func TestSealMtime(t *testing.T) {
	for _, n := range []Name{Squashfs, EROFS} {
		t.Run(string(n), func(t *testing.T) {
			needLayout(t, n)
			s := newScratch(t, n, tempRoot(t), Options{})
			layer := filepath.Join(s.Dir(), "l")
			check(t, s.NewLayerDir(layer))
			f := filepath.Join(layer, "f")
			check(t, os.WriteFile(f, nil, 0o644))
			mtime := time.Unix(1577934245, 123456789)
			check(t, os.Chtimes(f, mtime, mtime))
			lower, err := s.Seal(layer)
			check(t, err)
			st, err := os.Stat(filepath.Join(lower, "f"))
			check(t, err)
			want := map[Name]time.Time{Squashfs: mtime.Truncate(time.Second), EROFS: mtime}[n]
			if !st.ModTime().Equal(want) {
				t.Errorf("sealed mtime %v, want %v", st.ModTime(), want)
			}
		})
	}
}

// TestSealFailureUndoes: a Seal that fails halfway removes the image it
// made, and never touches a file it did not make.
func TestSealFailureUndoes(t *testing.T) {
	for _, n := range []Name{Squashfs, EROFS} {
		t.Run(string(n), func(t *testing.T) {
			needLayout(t, n)
			s := newScratch(t, n, tempRoot(t), Options{})
			layer := filepath.Join(s.Dir(), "l")
			check(t, s.NewLayerDir(layer))
			check(t, os.Mkdir(layer+".sealed", 0o755)) // the mount point is taken
			if _, err := s.Seal(layer); err == nil {
				t.Fatal("Seal with its mount point taken: no error")
			}
			assertGone(t, layer+"."+string(n))
			theirs := filepath.Join(s.Dir(), "m")
			check(t, os.Mkdir(theirs, 0o755))
			check(t, os.WriteFile(theirs+"."+string(n), []byte("not ours"), 0o644))
			if _, err := s.Seal(theirs); err == nil {
				t.Fatal("Seal over an existing image: no error")
			}
			if b, _ := os.ReadFile(theirs + "." + string(n)); string(b) != "not ours" {
				t.Errorf("Seal clobbered an existing file: %q", b)
			}
		})
	}
}

func assertGone(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (%v)", p, err)
		}
	}
}

// TestAtimePolicy: mounts say noatime, or strictatime when asked, never
// the kernel's relatime default.
func TestAtimePolicy(t *testing.T) {
	for _, n := range []Name{SameFS, Ext4} {
		for _, strict := range []bool{false, true} {
			t.Run(string(n)+map[bool]string{false: "/noatime", true: "/strictatime"}[strict], func(t *testing.T) {
				needLayout(t, n)
				s := newScratch(t, n, tempRoot(t), Options{StrictAtime: strict})
				opts := mountOptions(t, s.Dir())
				if slices.Contains(opts, "relatime") || slices.Contains(opts, "noatime") == strict {
					t.Errorf("mount options %v (strictatime %v)", opts, strict)
				}
			})
		}
	}
}

// mountOptions are the per-mount options of the mount at dir.
func mountOptions(t *testing.T, dir string) []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	check(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 5 && mounts.Unescape(f[4]) == dir {
			return strings.Split(f[5], ",")
		}
	}
	t.Fatalf("%s is not mounted", dir)
	return nil
}

// BenchmarkScratch is where the package doc's cost figures come from:
// preparing and closing each layout's scratch (mkfs, loop, mount).
func BenchmarkScratch(b *testing.B) {
	for _, n := range Names() {
		b.Run(string(n), func(b *testing.B) {
			if os.Geteuid() != 0 || Available(n) != "" {
				b.Skip(Available(n))
			}
			root := b.TempDir()
			var ready, closed time.Duration
			for i := 0; b.Loop(); i++ {
				dir := filepath.Join(root, strconv.Itoa(i))
				if err := os.Mkdir(dir, 0o755); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				s, err := Scratch(n, dir, 16<<20, Options{})
				if err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				ready, closed = ready+mid.Sub(start), closed+time.Since(mid)
			}
			b.ReportMetric(float64(ready.Microseconds())/float64(b.N)/1000, "ms/scratch")
			b.ReportMetric(float64(closed.Microseconds())/float64(b.N)/1000, "ms/close")
		})
	}
}

// BenchmarkSeal: sealing and releasing one layer of 50 small files.
func BenchmarkSeal(b *testing.B) {
	for _, n := range []Name{Squashfs, EROFS, NFS} {
		b.Run(string(n), func(b *testing.B) {
			if os.Geteuid() != 0 || Available(n) != "" {
				b.Skip(Available(n))
			}
			dir := filepath.Join(b.TempDir(), "run")
			if err := os.Mkdir(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			s, err := Scratch(n, dir, 0, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var seal, release time.Duration
			for i := 0; b.Loop(); i++ {
				layer := filepath.Join(dir, strconv.Itoa(i))
				if err := s.NewLayerDir(layer); err != nil {
					b.Fatal(err)
				}
				for f := range 50 {
					if err := os.WriteFile(filepath.Join(layer, strconv.Itoa(f)), []byte("data\n"), 0o644); err != nil {
						b.Fatal(err)
					}
				}
				start := time.Now()
				if _, err := s.Seal(layer); err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				if err := s.Release(layer); err != nil {
					b.Fatal(err)
				}
				seal, release = seal+mid.Sub(start), release+time.Since(mid)
			}
			b.ReportMetric(float64(seal.Microseconds())/float64(b.N)/1000, "ms/seal")
			b.ReportMetric(float64(release.Microseconds())/float64(b.N)/1000, "ms/release")
		})
	}
}
