package kernfeat

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Oldest is the oldest kernel layercheck runs on.
const Oldest = "5.15"

// Floor is the name EnvPretend takes (alone, never through "all") to make
// CheckMinimum act as on a kernel older than Oldest, so that refusal is
// tested too.
const Floor = "process_mrelease"

// CheckMinimum says why this kernel is too old for layercheck, nil when it
// is not. It probes process_mrelease(2), which 5.15 brought; the release
// string only names the kernel in the message.
func CheckMinimum() error {
	if !pretendedExactly(Floor) && exists(sysProcessMrelease, ^uintptr(0), 0) { // pidfd -1: EBADF
		return nil
	}
	var u unix.Utsname
	rel := "unknown"
	if unix.Uname(&u) == nil {
		rel = unix.ByteSliceToString(u.Release[:])
	}
	how := "it has no process_mrelease(2)"
	if pretendedExactly(Floor) {
		how = "pretended by " + EnvPretend
	}
	return fmt.Errorf("kernel %s is older than Linux %s (%s), the oldest layercheck runs on", rel, Oldest, how)
}
