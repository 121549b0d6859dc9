package overlay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/kernfeat"
	"golang.org/x/sys/unix"
)

// Overlay is the kernel's overlayfs, mounted with the new mount API
// (fsopen/fsconfig/fsmount/move_mount). Each lower layer is passed with its
// own "lowerdir+" call, so neither the 4 KiB limit of mount(2)'s option
// string nor ':' and ',' in paths get in the way: 500 layers mount.
// Kernels without "lowerdir+" (before 6.8) get the legacy string instead
// (legacy.go).
type Overlay struct {
	opts    []string // user options, in order, as key or key=value
	optsRaw string
}

// NewOverlay parses --options for kernel overlayfs. Layer options are the
// harness's to set and are refused here; everything else goes to the kernel
// as given, which has the last word on what it accepts.
//
// opts may also name a profile of OverlayProfiles ("metacopy"): its
// options are used.
func NewOverlay(opts string) (*Overlay, error) {
	if p, ok := overlayProfile(opts); ok {
		opts = p
	}
	o := &Overlay{optsRaw: opts}
	for _, opt := range strings.Split(opts, ",") {
		opt = strings.TrimSpace(opt)
		if opt == "" {
			continue
		}
		key, _, _ := strings.Cut(opt, "=")
		switch key {
		case "lowerdir", "lowerdir+", "upperdir", "workdir", "datadir+":
			return nil, &backend.UsageError{Setting: "options", Msg: fmt.Sprintf("%s is set by layercheck from the stack; leave it out", key)}
		}
		o.opts = append(o.opts, opt)
	}
	return o, nil
}

func (o *Overlay) Name() string { return "overlay" }

func (o *Overlay) Options() string { return o.optsRaw }

// option returns the value the mount will have for key: the last one given
// in --options, else the overlay module's default read from
// /sys/module/overlay/parameters (Y/N mapped to on/off), else "".
func (o *Overlay) option(key string) string {
	val := ""
	for _, opt := range o.opts {
		k, v, hasVal := strings.Cut(opt, "=")
		if k == key {
			val = v
			if !hasVal {
				val = "on"
			}
		}
	}
	if val != "" {
		return val
	}
	b, ok := moduleParam(key) // params.go: read once
	if !ok {
		return ""
	}
	switch strings.TrimSpace(b) {
	case "Y":
		return "on"
	case "N":
		return "off"
	}
	return strings.TrimSpace(b)
}

// RedirectDir reports whether directory renames are recorded as redirects
// (redirect_dir=on, or implied by metacopy=on).
func (o *Overlay) RedirectDir() bool {
	return o.option("redirect_dir") == "on" || o.option("metacopy") == "on"
}

// Index reports whether the inode index is on (index=on, or implied by nfs_export=on).
func (o *Overlay) Index() bool { return o.option("index") == "on" || o.option("nfs_export") == "on" }

func (o *Overlay) volatile() bool {
	for _, opt := range o.opts {
		if opt == "volatile" {
			return true
		}
	}
	return false
}

// Mount implements Backend.
func (o *Overlay) Mount(ctx context.Context, spec backend.MountSpec) (backend.Mount, error) {
	if o.volatile() && spec.Work != "" {
		// overlayfs.rst, "Volatile mount": the work dir of a volatile mount
		// must be recreated before the next mount.
		if err := clearDir(spec.Work); err != nil {
			return nil, err
		}
	}
	if kernfeat.Missing(kernfeat.LowerdirPlus) {
		return o.mountLegacy(spec) // legacy.go
	}
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, &backend.MountError{FS: "overlay", Errno: errnoOf(err), Step: "fsopen"}
	}
	defer unix.Close(fsfd)
	// Some refusals (conflicting options) are logged with pr_err rather
	// than on the fs context: read what the kernel logs meanwhile too.
	klog := openKmsgTail()
	defer klog.close()
	fail := func(step string, err error) error {
		msg := fsContextLog(fsfd)
		if msg == "" {
			msg = klog.read("overlayfs:")
		}
		return &backend.MountError{FS: "overlay", Errno: errnoOf(err), Kernel: msg, Step: step}
	}
	if step, err := o.configure(fsfd, spec); err != nil {
		return nil, fail(step, err)
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return nil, fail("create", err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return nil, fail("fsmount", err)
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, spec.Target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return nil, fail("move_mount", err)
	}
	return &kernelMount{target: spec.Target}, nil
}

// configure sets the options and the layers of a mount on the fs context
// fsfd: each layer one lowerdir+ (data-only layers datadir+, below every
// lower), so that no escaping is needed and 500 layers fit. A refusal says
// at which step.
func (o *Overlay) configure(fsfd int, spec backend.MountSpec) (step string, err error) {
	for _, opt := range o.opts {
		k, v, hasVal := strings.Cut(opt, "=")
		if hasVal {
			err = unix.FsconfigSetString(fsfd, k, v)
		} else {
			err = unix.FsconfigSetFlag(fsfd, k)
		}
		if err != nil {
			return "option " + opt, err
		}
	}
	for _, l := range spec.Lowers {
		if err := unix.FsconfigSetString(fsfd, "lowerdir+", l); err != nil {
			return "lowerdir+ " + l, err
		}
	}
	for _, d := range spec.Data { // data-only layers: below every lower
		if err := unix.FsconfigSetString(fsfd, "datadir+", d); err != nil {
			return "datadir+ " + d, err
		}
	}
	if err := unix.FsconfigSetString(fsfd, "upperdir", spec.Upper); err != nil {
		return "upperdir", err
	}
	if err := unix.FsconfigSetString(fsfd, "workdir", spec.Work); err != nil {
		return "workdir", err
	}
	return "", nil
}

// fsContextLog reads the messages the kernel left on an fs context: the
// real reason behind an EINVAL.
func fsContextLog(fd int) string {
	var msgs []string
	buf := make([]byte, 1024)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil || n <= 0 {
			break
		}
		m := strings.TrimSpace(string(buf[:n]))
		// "e overlay: ..." (error), "w ..." (warning), "i ..." (info)
		if len(m) > 2 && m[1] == ' ' {
			m = m[2:]
		}
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "; ")
}

// kmsgTail reads the kernel log from the moment it was opened.
type kmsgTail struct{ fd int }

func openKmsgTail() kmsgTail {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return kmsgTail{-1}
	}
	unix.Seek(fd, 0, unix.SEEK_END)
	return kmsgTail{fd}
}

// read returns the messages logged since open that start with prefix.
func (k kmsgTail) read(prefix string) string {
	if k.fd < 0 {
		return ""
	}
	var msgs []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.Read(k.fd, buf)
		if err == unix.EPIPE {
			continue // records were overwritten; go on with the next
		}
		if err != nil || n <= 0 {
			break
		}
		// "prio,seq,time,flags;message\n"
		rec := string(buf[:n])
		if i := strings.IndexByte(rec, ';'); i >= 0 {
			m := strings.TrimSpace(rec[i+1:])
			if strings.HasPrefix(m, prefix) {
				msgs = append(msgs, m)
			}
		}
	}
	return strings.Join(msgs, "; ")
}

func (k kmsgTail) close() {
	if k.fd >= 0 {
		unix.Close(k.fd)
	}
}

func errnoOf(err error) unix.Errno {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return unix.EIO
}

// kernelMount is a mount the kernel holds; umount(2) takes it down.
type kernelMount struct{ target string }

func (m *kernelMount) Unmount() error { return mounts.Detach(m.target) }

// clearDir removes everything inside dir, keeping dir.
func clearDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
