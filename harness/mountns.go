package harness

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// nsEnv marks a process that runs in the private mount namespace made by
// ReexecInMountNamespace.
const nsEnv = "LAYERCHECK_PRIVATE_MOUNT_NS"

// InPrivateMountNamespace reports whether this process runs in the private
// mount namespace that ReexecInMountNamespace made.
func InPrivateMountNamespace() bool { return os.Getenv(nsEnv) == "1" }

// ReexecInMountNamespace runs this program again, with the same arguments,
// in a new mount namespace whose mounts do not propagate to the host, and
// exits with its exit code. It returns (doing nothing) in that child, when
// not root, or when the namespace cannot be made.
//
// Why: every mount the run makes lives in that namespace, so whatever
// happens to the run (a panic, Ctrl-C, SIGKILL, a crash of the machine's
// patience) the kernel takes the mounts down with the namespace when its
// last process exits. The harness still unmounts everything itself; this
// is the guarantee behind it. The child dies with the parent (PDEATHSIG).
func ReexecInMountNamespace() {
	if InPrivateMountNamespace() || os.Geteuid() != 0 {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), nsEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Go makes "/" recursively private in the child when it unshares
	// CLONE_NEWNS, before the exec.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		signal.Stop(sigs)
		return // run here, without the namespace
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s) // the child tears down and exits
		}
	}()
	exitAs(cmd.Wait())
}

// exitAs exits this process the way the child whose Wait returned err
// exited: its code, 128+signal when a signal ended it, 3 when it could
// not run at all.
func exitAs(err error) {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			os.Exit(128 + int(ws.Signal()))
		}
		os.Exit(ee.ExitCode())
	}
	if err != nil {
		os.Exit(3)
	}
	os.Exit(0)
}
