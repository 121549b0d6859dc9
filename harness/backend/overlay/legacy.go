package overlay

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"golang.org/x/sys/unix"
)

// Kernels before 6.8 have no "lowerdir+" key (kernfeat.LowerdirPlus), and
// before 6.5 overlayfs reads its options only as the one legacy string of
// mount(2). There the stack goes in one "lowerdir=" option, layers
// separated by ':', with ':', ',' and '\' in a path escaped with '\'
// (overlayfs.rst, "Multiple lower layers" and the escaping of
// ovl_next_opt/ovl_split_lowerdirs, the same for upperdir and workdir).
// The whole string is limited to one page (copy_mount_options): the paths
// are given relative to the directory most layers sit in, which the
// mounting thread makes its own working directory, so a stack of 500
// layers l0..l499 of one scenario fits.

// escapeLayer escapes p for the legacy option string.
func escapeLayer(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `:`, `\:`, `,`, `\,`)
	return r.Replace(p)
}

// legacyCwd picks the directory the layer paths are made relative to: the
// parent most of them share.
func legacyCwd(paths []string) string {
	count := map[string]int{}
	best := ""
	for _, p := range paths {
		d := filepath.Dir(p)
		count[d]++
		if count[d] > count[best] {
			best = d
		}
	}
	return best
}

// legacyOptions is the mount(2) data for spec, paths relative to cwd.
func (o *Overlay) legacyOptions(spec backend.MountSpec, cwd string) (string, error) {
	rel := func(p string) (string, error) {
		r, err := filepath.Rel(cwd, p)
		return escapeLayer(r), err
	}
	opts := append([]string{}, o.opts...)
	lowers := make([]string, len(spec.Lowers))
	for i, l := range spec.Lowers {
		var err error
		if lowers[i], err = rel(l); err != nil {
			return "", err
		}
	}
	opts = append(opts, "lowerdir="+strings.Join(lowers, ":"))
	for _, kv := range [][2]string{{"upperdir", spec.Upper}, {"workdir", spec.Work}} {
		if kv[1] == "" {
			continue
		}
		r, err := rel(kv[1])
		if err != nil {
			return "", err
		}
		opts = append(opts, kv[0]+"="+r)
	}
	return strings.Join(opts, ","), nil
}

// mountLegacy mounts spec with the legacy option string through mount(2).
func (o *Overlay) mountLegacy(spec backend.MountSpec) (backend.Mount, error) {
	paths := append(append([]string{}, spec.Lowers...), spec.Upper, spec.Work)
	cwd := legacyCwd(paths)
	data, err := o.legacyOptions(spec, cwd)
	if err != nil {
		return nil, &backend.MountError{Errno: unix.EINVAL, Step: "lowerdir=", Kernel: err.Error()}
	}
	if page := os.Getpagesize(); len(data) >= page {
		return nil, &backend.MountError{Errno: unix.E2BIG, Step: "lowerdir=", Kernel: fmt.Sprintf(
			"this kernel has no lowerdir+ (Linux 6.8): the stack goes in one mount option string of at most %d bytes, and %d layers make %d",
			page-1, len(spec.Lowers), len(data))}
	}
	klog := openKmsgTail()
	defer klog.close()
	done := make(chan error, 1)
	go func() {
		// The thread gets its own working directory (CLONE_FS) and dies
		// with the goroutine (no UnlockOSThread): the process's stays.
		runtime.LockOSThread()
		done <- func() error {
			if err := unix.Unshare(unix.CLONE_FS); err != nil {
				return err
			}
			if err := unix.Chdir(cwd); err != nil {
				return err
			}
			// Leave the layers before answering: the thread ends some
			// time after the goroutine, and until then its working
			// directory pins the layers' filesystem (an unmount of the
			// run's ext4 scratch got EBUSY).
			defer unix.Chdir("/")
			return unix.Mount("overlay", spec.Target, "overlay", 0, data)
		}()
	}()
	if err := <-done; err != nil {
		return nil, &backend.MountError{Errno: errnoOf(err), Kernel: klog.read("overlayfs:"), Step: "mount lowerdir=" + data}
	}
	return &kernelMount{target: spec.Target}, nil
}
