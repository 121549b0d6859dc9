package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/layercheck/layercheck/harness/errs"
	"golang.org/x/sys/unix"
)

// Rootless runs: the whole run in a user namespace whose root is an
// unprivileged host user, as rootless container engines run. The kernel
// then treats every mount as an unprivileged one (overlay needs userxattr;
// trusted.* xattrs are out of reach), and the harness's other identities
// are unprivileged host users too.
const (
	// RootlessHostID is the host uid and gid that the namespace's 0 maps
	// to; 0..65535 map to RootlessHostID..RootlessHostID+65535.
	RootlessHostID = 200000
	rootlessEnv    = "LAYERCHECK_ROOTLESS_SCRATCH"
)

// RootlessIDs is how many ids the rootless namespace maps (0.. to
// RootlessHostID..); a run with --idmap widens it to hold the mapping's
// host ids (harness/idmap.Mapping.HostEnd).
var RootlessIDs = 65536

// InRootlessNamespace reports whether this process runs in the user
// namespace that ReexecRootless made.
func InRootlessNamespace() bool { return os.Getenv(rootlessEnv) != "" }

// RootlessScratch is the scratch base prepared for the rootless run.
func RootlessScratch() string { return os.Getenv(rootlessEnv) }

// ReexecRootless runs this program again, with the same arguments, in a
// new user and mount namespace where uid/gid 0..65535 are host
// RootlessHostID.., and returns a *ChildExit with its exit code once it ends. Called by real root; it
// returns (doing nothing) inside that namespace.
//
// Before it starts the child it prepares what an unprivileged root cannot:
// a scratch directory under scratchBase owned by the mapped root (named
// run-PID, so `layercheck cleanup` removes it after a SIGKILL), and, in
// this process's private mount namespace, a /dev/fuse node that the
// mapped root may open (the host's is mode 0600 root), so that FUSE
// backends can start where the kernel allows FUSE in a user namespace.
//
// outputs are files or directories the run writes (--json, --junit,
// last-run.json, --repro-dir): the unprivileged
// child may not reach their directories, so it writes them in its scratch
// (RootlessOutput) and this process copies them into place when it ends.
func ReexecRootless(scratchBase string, outputs ...string) error {
	if InRootlessNamespace() {
		dieWithParent() // parent.go
		return nil
	}
	if os.Geteuid() != 0 {
		return &errs.EnvError{Setting: "rootless", Msg: "start layercheck as root; it drops to an unprivileged user namespace itself"}
	}
	if !InPrivateMountNamespace() {
		return errors.New("a rootless run needs the run's private mount namespace")
	}
	dir, err := rootlessRunDir(scratchBase)
	if err != nil {
		return err
	}
	fuseNote := shareFuseDevice(dir)
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = withParent(append(os.Environ(), rootlessEnv+"="+dir, "LAYERCHECK_ROOTLESS_FUSE="+fuseNote,
		rootlessOutEnv+"="+strings.Join(outputs, "\n")))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:                 syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: RootlessHostID, Size: RootlessIDs}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: RootlessHostID, Size: RootlessIDs}},
		GidMappingsEnableSetgroups: true,
		// Become the namespace's 0 (host RootlessHostID): the child's host
		// uid 0 is not mapped in it.
		Credential: &syscall.Credential{Uid: 0, Gid: 0},
		Pdeathsig:  syscall.SIGKILL,
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return &errs.EnvError{Setting: "rootless", Msg: fmt.Sprintf("cannot start in a user namespace: %v", err)}
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	for i, out := range outputs {
		if out == "" {
			continue
		}
		if werr := copyOut(stagedOutput(dir, i), out); werr != nil {
			fmt.Fprintln(os.Stderr, "layercheck: "+werr.Error())
		}
	}
	unix.Unmount("/dev/fuse", unix.MNT_DETACH)
	unix.Unmount(filepath.Join(dir, "dev"), unix.MNT_DETACH)
	os.RemoveAll(dir)
	return childExit(err)
}

// rootlessRunDir makes the run's directory beneath scratchBase, owned by
// the namespace's root (host RootlessHostID).
func rootlessRunDir(scratchBase string) (string, error) {
	dir := filepath.Join(scratchBase, fmt.Sprintf("run-%d", os.Getpid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", &errs.EnvError{Setting: "rootless", Msg: fmt.Sprintf("scratch %s: %v", dir, err)}
	}
	if err := os.Chown(dir, RootlessHostID, RootlessHostID); err != nil {
		return "", &errs.EnvError{Setting: "rootless", Msg: fmt.Sprintf("scratch %s: %v", dir, err)}
	}
	return dir, nil
}

// shareFuseDevice puts, over /dev/fuse in this private mount namespace, a
// node of the same device owned by the mapped root, on a small tmpfs in
// dir. It returns "" on success or why not (FUSE backends then fail to
// start in the namespace, and the run says so).
func shareFuseDevice(dir string) string {
	var st unix.Stat_t
	if err := unix.Stat("/dev/fuse", &st); err != nil {
		return "no /dev/fuse: " + err.Error()
	}
	devDir := filepath.Join(dir, "dev")
	if err := os.Mkdir(devDir, 0o755); err != nil {
		return err.Error()
	}
	if err := unix.Mount("layercheck-dev", devDir, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=0755,size=64k"); err != nil {
		return "tmpfs for /dev/fuse: " + err.Error()
	}
	node := filepath.Join(devDir, "fuse")
	if err := unix.Mknod(node, unix.S_IFCHR|0o600, int(st.Rdev)); err != nil {
		return "mknod /dev/fuse: " + err.Error()
	}
	if err := os.Chown(node, RootlessHostID, RootlessHostID); err != nil {
		return err.Error()
	}
	if err := unix.Mount(node, "/dev/fuse", "", unix.MS_BIND, ""); err != nil {
		return "bind /dev/fuse: " + err.Error()
	}
	return ""
}

// RootlessFuseNote says why FUSE backends may not start in this rootless
// run ("" if /dev/fuse was made available).
func RootlessFuseNote() string { return strings.TrimSpace(os.Getenv("LAYERCHECK_ROOTLESS_FUSE")) }

const rootlessOutEnv = "LAYERCHECK_ROOTLESS_OUTPUTS"

func stagedOutput(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("output-%d", i)) }

// RootlessOutput is where the rootless child writes the output file path
// (one of ReexecRootless's outputs); outside a rootless run, or for a path
// not listed, it is path itself.
func RootlessOutput(path string) string {
	if path == "" || !InRootlessNamespace() {
		return path
	}
	for i, out := range strings.Split(os.Getenv(rootlessOutEnv), "\n") {
		if out == path {
			return stagedOutput(RootlessScratch(), i)
		}
	}
	return path
}
