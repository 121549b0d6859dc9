package sandbox

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// parentEnv hands a re-executed child the PID of the process that
// started it (ReexecInMountNamespace, ReexecRootless).
const parentEnv = "LAYERCHECK_PARENT_PID"

// withParent is env with this process named as the parent of the child
// about to be started.
func withParent(env []string) []string {
	env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, parentEnv+"=") })
	return append(env, parentEnv+"="+strconv.Itoa(os.Getpid()))
}

var watchParentOnce sync.Once

// dieWithParent makes a re-executed child end (SIGKILL, as PDEATHSIG
// would) as soon as the parent that started it is gone, killed included.
// PDEATHSIG alone does not hold: the kernel clears a task's parent-death
// signal when its credentials change (commit_creds: an fsuid or fsgid
// other than before), and the harness acts as other users by changing
// the fsuid of whichever thread runs the op, the main thread among them.
// A child that outlived its killed parent went on running the scenarios
// and starting daemons (TestKilledFuseRunLeavesNoDaemon). A pidfd of the
// parent does not depend on credentials. The variable is taken out of the
// environment, so that nothing the child starts inherits it.
func dieWithParent() {
	watchParentOnce.Do(func() {
		v, ok := os.LookupEnv(parentEnv)
		if !ok {
			return
		}
		os.Unsetenv(parentEnv)
		ppid, err := strconv.Atoi(v)
		if err != nil || ppid <= 1 {
			return
		}
		fd, err := unix.PidfdOpen(ppid, 0) // Linux 5.3; the oldest kernel run on is 5.15
		if os.Getppid() != ppid {          // gone already (its PID may be another's now)
			unix.Kill(os.Getpid(), unix.SIGKILL)
		}
		if err != nil {
			return // PDEATHSIG is what is left
		}
		go func() {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			for {
				if _, err := unix.Poll(fds, -1); err != unix.EINTR {
					break
				}
			}
			unix.Kill(os.Getpid(), unix.SIGKILL)
		}()
	})
}
