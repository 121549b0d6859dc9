package modern

import (
	"os"
	"path/filepath"
	"unsafe"

	"github.com/layercheck/layercheck/harness/kernfeat"
	"github.com/layercheck/layercheck/harness/layout"
	"golang.org/x/sys/unix"
)

// needKconfig skips where /proc/config.gz says the kernel was built
// without sym: no try could then succeed, and the reason names why.
func needKconfig(t *T, sym, cite string) {
	t.Helper()
	if layout.Kconfig(sym) == "n" {
		t.Skipf("kernel %s built without %s (/proc/config.gz): %s", kernelRelease(), sym, cite)
	}
}

// fsverityEnableArg is struct fsverity_enable_arg (linux/fsverity.h).
type fsverityEnableArg struct {
	Version       uint32
	HashAlgorithm uint32
	BlockSize     uint32
	SaltSize      uint32
	SaltPtr       uint64
	SigSize       uint32
	Reserved1     uint32
	SigPtr        uint64
	Reserved2     [11]uint64
}

const fsIocEnableVerity = 0x40806685 // _IOW('f', 133, struct fsverity_enable_arg)

// verity=on: a metadata copy-up of a lower file with fs-verity records its
// digest in trusted.overlay.metacopy; verity=require refuses (EIO) a
// metacopy without a digest. Needs CONFIG_FS_VERITY and a scratch
// filesystem with verity enabled.
func checkVerity(t *T) {
	needRoot(t)
	needKconfig(t, "CONFIG_FS_VERITY", citeVerity)
	s := newStack(t)
	f := filepath.Join(s.lower, "f")
	fd, err := unix.Open(f, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	arg := fsverityEnableArg{Version: 1, HashAlgorithm: 1, BlockSize: 4096}
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), fsIocEnableVerity, uintptr(unsafe.Pointer(&arg)))
	unix.Close(fd)
	if e != 0 {
		t.Skipf("the scratch filesystem cannot enable fs-verity on a file (%v): %s", e, citeVerity)
	}
	mfd := s.mount(t, str("metacopy", "on"), str("redirect_dir", "on"), str("verity", "on"))
	if err := unix.Fchmodat(mfd, "f", 0o600, 0); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 128)
	n, err := unix.Lgetxattr(filepath.Join(s.upper, "f"), "trusted.overlay.metacopy", b)
	if err != nil || n <= 4 {
		t.Errorf("metacopy of a verity file under verity=on: %d bytes (%v), want a digest: %s", n, err, citeVerity)
	}
	s2 := newStack(t)
	m2 := s2.mount(t, str("metacopy", "on"), str("redirect_dir", "on"))
	unix.Fchmodat(m2, "f", 0o600, 0) // a metacopy without a digest (the lower has no verity)
	req := s2.mount(t, str("metacopy", "on"), str("redirect_dir", "on"), str("verity", "require"))
	if _, err := readAt(req, "f"); errnoOf(err) != unix.EIO {
		t.Errorf("open of a metacopy without a digest under verity=require: %v, want EIO: %s", err, citeVerity)
	}
}

// Casefolded layers (6.17/6.18): names keep their stored case in
// listings. Needs CONFIG_UNICODE and a casefolding tmpfs.
func checkCasefold(t *T) {
	needRoot(t)
	if kernfeat.Missing(kernfeat.TmpfsCasefold) {
		why := "probed: tmpfs refuses casefold=utf8"
		if layout.Kconfig("CONFIG_UNICODE") == "n" {
			why += "; /proc/config.gz: CONFIG_UNICODE is not set"
		}
		t.Skipf("kernel %s has no casefolding tmpfs to make layers on (%s): %s", kernelRelease(), why, citeCasefold)
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "casefold=utf8"); err != nil {
		t.Fatalf("tmpfs casefold=utf8, which the probe took: %v", err)
	}
	defer unix.Unmount(dir, unix.MNT_DETACH)
	for _, n := range []string{"lower", "lower2", "upper", "work"} {
		os.Mkdir(filepath.Join(dir, n), 0o755)
	}
	s := stack{filepath.Join(dir, "lower"), filepath.Join(dir, "lower2"), filepath.Join(dir, "upper"), filepath.Join(dir, "work")}
	write(t, filepath.Join(s.lower, "MiXed"), "x\n", 0o644)
	mfd, err := detached(str("lowerdir+", s.lower), str("lowerdir+", s.lower2), str("upperdir", s.upper), str("workdir", s.work))
	if err != nil {
		t.Skipf("overlay over a casefolding tmpfs: %v", err)
	}
	defer unix.Close(mfd)
	if names, _ := listAt(mfd, "."); !contains(names, "MiXed") {
		t.Errorf("listing %v: want the stored case MiXed", names)
	}
}
