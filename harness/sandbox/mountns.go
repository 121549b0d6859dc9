package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/layercheck/layercheck/harness/internal/mounts"
)

// ReexecInMountNamespace runs this program again, with the same arguments,
// in a new mount namespace whose mounts do not propagate to the host, and
// returns a *ChildExit with its exit code once it ends. It returns nil (doing nothing) in that child, when
// not root, or when the namespace cannot be made.
//
// Why: every mount the run makes lives in that namespace, so whatever
// happens to the run (a panic, Ctrl-C, SIGKILL, a crash of the machine's
// patience) the kernel takes the mounts down with the namespace when its
// last process exits. The harness still unmounts everything itself; this
// is the guarantee behind it. The child dies with the parent (PDEATHSIG).
func ReexecInMountNamespace() error {
	if InPrivateMountNamespace() {
		dieWithParent() // parent.go: PDEATHSIG does not survive the harness's fsuid changes
		return nil
	}
	if os.Geteuid() != 0 {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = withParent(append(os.Environ(), mounts.NamespaceEnv+"=1"))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Go makes "/" recursively private in the child when it unshares
	// CLONE_NEWNS, before the exec.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		signal.Stop(sigs)
		return nil // run here, without the namespace
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s) // the child tears down and exits
		}
	}()
	return childExit(cmd.Wait())
}

// ChildExit is what ReexecInMountNamespace and ReexecRootless return in
// the parent once the re-executed child has ended: the caller ends too,
// with Code, the child's own exit code (128+signal when a signal ended it,
// 3 when it could not run at all). The library itself never exits.
type ChildExit struct{ Code int }

func (e *ChildExit) Error() string { return fmt.Sprintf("the re-executed run exited %d", e.Code) }

// childExit turns the error of the child's Wait into a *ChildExit.
func childExit(err error) *ChildExit {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &ChildExit{128 + int(ws.Signal())}
		}
		return &ChildExit{ee.ExitCode()}
	}
	if err != nil {
		return &ChildExit{3}
	}
	return &ChildExit{0}
}

// InPrivateMountNamespace reports whether this process runs in the private
// mount namespace that ReexecInMountNamespace made.
func InPrivateMountNamespace() bool { return mounts.InPrivateMountNamespace() }
