// Package guest is layercheck's life as PID 1 of a virtual machine that
// `layercheck vm` booted: it mounts the pseudo filesystems, loads the
// kernel modules the initramfs carries, mounts the scratch disk, runs
// layercheck itself with the run's arguments as its only child, writes
// the child's exit code and output files to the output disk as a tar
// stream, and powers the machine off.
//
// The host (package vm) and this package share one contract: Config, in
// the initramfs at ConfigPath, and the tar layout of the output disk
// (ExitEntry, then the output files under their flag names).
package guest

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// ConfigPath is where the host puts the guest's Config.
	ConfigPath = "/layercheck-vm.json"
	// OutDir is where the run writes its output files (the host rewrites
	// --json and the others to paths beneath it): on the scratch disk.
	OutDir = "/var/tmp/layercheck-vm-out"
	// ExitEntry is the tar entry holding the run's exit code. Its
	// absence on the output disk means the guest died before the end.
	ExitEntry = "exit"
	// TraceEnv names the file a guest run writes "start NAME" and
	// "done NAME" lines to, so that the host knows which scenarios were
	// running when the kernel died.
	TraceEnv = "LAYERCHECK_VM_TRACE"
)

// Config is what the host tells the guest.
type Config struct {
	Args    []string `json:"args"`    // layercheck's arguments ("run", flags...)
	Modules []string `json:"modules"` // module files in the initramfs, in load order
	Scratch string   `json:"scratch"` // the scratch disk's device, mounted on /var/tmp
	Out     string   `json:"out"`     // the output disk's device, written as a tar stream
	Trace   string   `json:"trace"`   // the serial port TraceEnv names
}

// IsInit says whether this process is the machine's init: PID 1 with a
// Config beside it.
func IsInit() bool {
	if os.Getpid() != 1 {
		return false
	}
	_, err := os.Stat(ConfigPath)
	return err == nil
}

// Init is PID 1's whole life. It never returns: the machine powers off.
func Init() {
	code := 3
	cfg, err := setUp()
	if err != nil {
		say("%v", err)
	} else {
		code = runChild(cfg)
	}
	if cfg != nil {
		if err := writeOut(cfg.Out, OutDir, code); err != nil {
			say("writing the results to %s: %v", cfg.Out, err)
		}
	}
	unix.Sync()
	_ = unix.Unmount("/var/tmp", 0)
	// Quiet the kernel's own "reboot: Power down": the console is the
	// user's screen.
	_ = os.WriteFile("/proc/sys/kernel/printk", []byte("1"), 0)
	_ = unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	select {} // PID 1 must not exit: that would panic the kernel
}

func say(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "layercheck vm guest: "+format+"\n", a...)
}

// setUp mounts what a run needs, loads the modules and mounts scratch.
func setUp() (*Config, error) {
	for _, m := range []struct{ fs, dir string }{{"proc", "/proc"}, {"sysfs", "/sys"}, {"devtmpfs", "/dev"}, {"tmpfs", "/tmp"}, {"tmpfs", "/run"}} {
		if err := os.MkdirAll(m.dir, 0o755); err != nil {
			return nil, err
		}
		if err := unix.Mount(m.fs, m.dir, m.fs, 0, ""); err != nil && !errors.Is(err, unix.EBUSY) {
			return nil, fmt.Errorf("mount %s on %s: %w", m.fs, m.dir, err)
		}
	}
	consoleStdio()
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	say("kernel %s up", unix.ByteSliceToString(uts.Release[:]))
	b, err := os.ReadFile(ConfigPath)
	if err != nil {
		return nil, err
	}
	var cfg Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", ConfigPath, err)
	}
	if err := loadModules(cfg.Modules); err != nil {
		return &cfg, err
	}
	if err := loopbackUp(); err != nil {
		say("loopback: %v (the nfs layout needs it)", err)
	}
	if err := waitFor(cfg.Scratch, cfg.Out); err != nil {
		return &cfg, err
	}
	if err := os.MkdirAll("/var/tmp", 0o1777); err != nil {
		return &cfg, err
	}
	if err := unix.Mount(cfg.Scratch, "/var/tmp", "ext4", 0, ""); err != nil {
		return &cfg, fmt.Errorf("mount %s (ext4) on /var/tmp: %w", cfg.Scratch, err)
	}
	return &cfg, os.MkdirAll(OutDir, 0o755)
}

// loopbackUp brings the loopback interface up, as a distribution's init
// does: the nfs layout serves and mounts its exports over 127.0.0.1.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// consoleStdio points stdin, stdout and stderr at /dev/console: the
// kernel opens it for init only when the initramfs has the node itself.
func consoleStdio() {
	fd, err := unix.Open("/dev/console", unix.O_RDWR, 0)
	if err != nil {
		return
	}
	for i := 0; i < 3; i++ {
		_ = unix.Dup2(fd, i)
	}
	if fd > 2 {
		unix.Close(fd)
	}
}

// loadModules loads the files in passes until a pass loads nothing more:
// the host ordered them after their dependencies, and the passes forgive
// an order it got wrong.
func loadModules(files []string) error {
	left := files
	errs := map[string]error{}
	for len(left) > 0 {
		var next []string
		for _, f := range left {
			if err := loadModule(f); err != nil {
				errs[f] = err
				next = append(next, f)
			}
		}
		if len(next) == len(left) {
			var msgs []string
			for _, f := range next {
				msgs = append(msgs, fmt.Sprintf("%s: %v", filepath.Base(f), errs[f]))
			}
			return fmt.Errorf("modules that would not load: %s", strings.Join(msgs, "; "))
		}
		left = next
	}
	return nil
}

func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	err = unix.FinitModule(int(f.Fd()), "", 0)
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	return err
}

// waitFor waits for the disks' device nodes: virtio_blk probes them
// asynchronously after it loads.
func waitFor(devs ...string) error {
	deadline := time.Now().Add(30 * time.Second)
	for _, d := range devs {
		for {
			if _, err := os.Stat(d); err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s did not appear within 30s (virtio_blk loaded?)", d)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// runChild runs layercheck with the run's arguments and returns its exit
// code, reaping every other process that ends meanwhile (PID 1 inherits
// the orphans: FUSE daemons, their helpers).
func runChild(cfg *Config) int {
	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TMPDIR=/tmp", TraceEnv + "=" + cfg.Trace}
	// The run writes to a pipe this process copies to the console, not to
	// the console itself: it then prints plain progress lines, which read
	// well on the host's screen and in a CI log alike.
	r, w, err := os.Pipe()
	if err != nil {
		say("pipe: %v", err)
		return 3
	}
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(os.Stdout, r); close(copied) }()
	defer func() {
		select { // a daemon still holding the pipe must not hold the power-off
		case <-copied:
		case <-time.After(2 * time.Second):
		}
	}()
	attr := &os.ProcAttr{Env: env, Files: []*os.File{os.Stdin, w, w}}
	p, err := os.StartProcess("/init", append([]string{"layercheck"}, cfg.Args...), attr)
	w.Close()
	if err != nil {
		say("starting the run: %v", err)
		return 3
	}
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			say("wait: %v", err)
			return 3
		}
		if pid != p.Pid {
			continue
		}
		if ws.Signaled() {
			say("the run was killed by %v", ws.Signal())
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}

// writeOut writes the exit code and everything under dir to the output
// disk dev as one tar stream.
func writeOut(dev, dir string, code int) error {
	f, err := os.OpenFile(dev, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	exit := []byte(strconv.Itoa(code) + "\n")
	if err := tw.WriteHeader(&tar.Header{Name: ExitEntry, Mode: 0o644, Size: int64(len(exit))}); err != nil {
		return err
	}
	if _, err := tw.Write(exit); err != nil {
		return err
	}
	werr := tw.AddFS(os.DirFS(dir))
	if err := tw.Close(); err != nil && werr == nil {
		werr = err
	}
	if err := f.Sync(); err != nil && werr == nil {
		werr = err
	}
	if err := f.Close(); err != nil && werr == nil {
		werr = err
	}
	return werr
}

// Trace opens the file TraceEnv names, or returns nil outside a guest.
func Trace() *os.File {
	p := os.Getenv(TraceEnv)
	if p == "" {
		return nil
	}
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return nil
	}
	return f
}
