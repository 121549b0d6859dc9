package layout

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Available says why this machine cannot run layout n, or "" when it can.
// For nfs it may load the nfsd and nfs modules (modprobe) as a side effect.
func Available(n Name) string {
	if _, err := Parse(string(n)); err != nil {
		return err.Error()
	}
	if os.Geteuid() != 0 {
		return "layouts mount filesystems: needs root"
	}
	if why := oldKernelMissing(n); why != "" { // oldkernel.go
		return why
	}
	switch {
	case imageFS(n):
		return needAll(needFS(string(n)), needProg("mkfs."+string(n)), needLoop())
	case n == Squashfs:
		return needAll(needFS("squashfs"), needProg("mksquashfs"), needLoop())
	case n == EROFS:
		return needAll(needFS("erofs"), needProg("mkfs.erofs"), needLoop())
	case n == NFS:
		return needAll(needFS("tmpfs"), nfsMissing())
	case n == Composefs:
		return needAll(needFS("erofs"), needProg("mkfs.erofs"), needLoop(), dataOnlyMissing())
	case n == DataOnly:
		return needAll(needFS("tmpfs"), dataOnlyMissing())
	}
	return needFS("tmpfs")
}

// nfsMissing checks for the kernel server and client and the user-space
// tools that Seal runs.
func nfsMissing() string {
	if err := loadFS("nfsd", "nfsd"); err != nil {
		return "kernel cannot serve NFS: " + err.Error() + kconfigNote("CONFIG_NFSD", "CONFIG_NETWORK_FILESYSTEMS")
	}
	if err := loadFS("nfs", "nfs4", "nfs"); err != nil {
		return "kernel has no NFS client: " + err.Error() + kconfigNote("CONFIG_NFS_FS", "CONFIG_NETWORK_FILESYSTEMS")
	}
	return needAll(needProg("exportfs"), needProg("rpc.nfsd"), needProg("rpc.mountd"), needProg("mount.nfs"))
}

// loadFS makes sure one of the filesystems fss is in /proc/filesystems,
// loading module mod if none is: a modular nfsd is only listed once loaded.
func loadFS(mod string, fss ...string) error {
	has := func() bool { return slices.ContainsFunc(fss, kernelHas) }
	if has() {
		return nil
	}
	why := fmt.Sprintf("no %s in /proc/filesystems", strings.Join(fss, " or "))
	p, err := lookProg("modprobe")
	if err != nil {
		return fmt.Errorf("%s, and no modprobe to load module %s", why, mod)
	}
	if out, err := exec.Command(p, mod).CombinedOutput(); err != nil {
		return fmt.Errorf("%s; modprobe %s: %v: %s", why, mod, err, strings.TrimSpace(string(out)))
	}
	if !has() {
		return fmt.Errorf("%s even after modprobe %s", why, mod)
	}
	return nil
}

// kconfigNote says which of syms /proc/config.gz shows as off (Kconfig),
// when the kernel publishes its configuration: the reason that no
// modprobe or package can fix. (A symbol whose menu is off is not listed
// at all, hence the menu symbol after it.)
func kconfigNote(syms ...string) string {
	for _, sym := range syms {
		if Kconfig(sym) == "n" {
			return " (built without it: " + sym + " is not set in /proc/config.gz)"
		}
	}
	return ""
}

func needAll(reasons ...string) string {
	var out []string
	for _, r := range reasons {
		if r != "" {
			out = append(out, r)
		}
	}
	return strings.Join(out, "; ")
}

func needFS(fs string) string {
	if kernelHas(fs) {
		return ""
	}
	return fmt.Sprintf("kernel lacks %s (not in /proc/filesystems)", fs)
}

func needProg(name string) string {
	if _, err := lookProg(name); err != nil {
		return fmt.Sprintf("%s not installed", name)
	}
	return ""
}

func needLoop() string {
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		return "no loop devices: " + err.Error()
	}
	return ""
}

// kernelHas reports whether fs is listed in /proc/filesystems.
func kernelHas(fs string) bool {
	f, err := os.Open("/proc/filesystems")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 && fields[len(fields)-1] == fs {
			return true
		}
	}
	return false
}

// lookProg finds a program on PATH or in the sbin directories, which a
// non-login root environment (CI, sudo) may leave off PATH.
func lookProg(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found", name)
}

// run runs a program and returns its combined output, which it also puts
// in the error: mkfs and exportfs explain themselves on stderr.
func run(name string, args ...string) (string, error) {
	p, err := lookProg(name)
	if err != nil {
		return "", err
	}
	out, err := exec.Command(p, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
