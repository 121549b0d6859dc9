package idmap

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Userns is a user namespace that carries a Mapping, held open by a
// descriptor (the process that made it is gone).
type Userns struct {
	file *os.File
	m    Mapping
}

// NewUserns makes a user namespace for m: a child started in a new user
// namespace whose uid_map and gid_map the Go runtime writes from this
// process before the child runs, kept asleep until its namespace is open,
// then killed and reaped by its PID. The namespace maps, inside, the host
// ids and, outside, the container ids (see the package doc).
func NewUserns(m Mapping) (*Userns, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		return nil, fmt.Errorf("user namespace: %w", err)
	}
	cmd := exec.Command(sleep, "3600")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: inverted(m.UID),
		GidMappings: inverted(m.GID),
		Pdeathsig:   syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("user namespace for the mapping %s: %w", m, err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/user", cmd.Process.Pid))
	if err != nil {
		return nil, fmt.Errorf("user namespace: %w", err)
	}
	return &Userns{file: f, m: m}, nil
}

// inverted is the namespace's view of ranges: inside the host ids, outside
// the container ids.
func inverted(rs []Range) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(rs))
	for i, r := range rs {
		out[i] = syscall.SysProcIDMap{ContainerID: int(r.Host), HostID: int(r.Container), Size: int(r.Size)}
	}
	return out
}

// Fd is the namespace's descriptor, for MOUNT_ATTR_IDMAP.
func (u *Userns) Fd() int { return int(u.file.Fd()) }

// Mapping is the mapping the namespace carries.
func (u *Userns) Mapping() Mapping { return u.m }

// Close drops the descriptor; mounts made with it keep their mapping.
func (u *Userns) Close() error { return u.file.Close() }
