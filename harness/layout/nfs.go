package layout

// The nfs layout. This machine's kernel has no NFS server or client, so
// this path could not be run here (see the package doc): it follows the
// nfs-utils documentation, and Available keeps the engine off it wherever
// the kernel lacks either side.

import (
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const nfsdFS = "/proc/fs/nfsd"

// nfsServer is what Seal started of the kernel NFS server, so that Close
// stops exactly that and leaves a server that ran before alone.
type nfsServer struct {
	mountedFS bool      // we mounted the nfsd filesystem on /proc/fs/nfsd
	threads   bool      // we started the nfsd threads
	mountd    *exec.Cmd // our rpc.mountd, stopped by its PID
}

// sealNFS exports dir read-only to 127.0.0.1 and mounts the export on
// dir.nfs, NFSv4.2 over TCP: v4 needs no rpcbind, and 4.2 is the version
// that carries (user.*) xattrs.
func (s *Storage) sealNFS(dir string) (lower string, err error) {
	if err := s.startNFS(); err != nil {
		return "", err
	}
	mnt, spec := dir+".nfs", "127.0.0.1:"+dir
	var undos undoList
	defer func() {
		if lower == "" {
			err = errors.Join(err, undos.run())
		} else if perr := s.push(dir, undos.run); perr != nil {
			lower, err = "", perr
		}
	}()
	// fsid: a tmpfs has no UUID for nfsd to name it by.
	opts := fmt.Sprintf("ro,no_root_squash,insecure,no_subtree_check,fsid=%d", 1+crc32.ChecksumIEEE([]byte(dir))%0x7ffffffe)
	if _, err := run("exportfs", "-o", opts, spec); err != nil {
		return "", err
	}
	undos.add(func() error { _, err := run("exportfs", "-u", spec); return err })
	if err := os.Mkdir(mnt, 0o755); err != nil {
		return "", fmt.Errorf("seal %s: %w", dir, err)
	}
	undos.add(func() error { return os.Remove(mnt) })
	if _, err := run("mount", "-t", "nfs", "-o", "ro,nosuid,nodev,vers=4.2,proto=tcp,sec=sys", spec, mnt); err != nil {
		return "", err
	}
	undos.add(func() error { return unmount(mnt) })
	return mnt, nil
}

// startNFS makes sure the kernel NFS server runs, once per Storage.
func (s *Storage) startNFS() (err error) {
	s.nfsMu.Lock()
	defer s.nfsMu.Unlock()
	if s.nfs != nil {
		return nil
	}
	srv := &nfsServer{}
	defer func() {
		if s.nfs == nil {
			err = errors.Join(err, srv.stop())
		}
	}()
	if _, err := os.Stat(nfsdFS + "/threads"); err != nil {
		if err := unix.Mount("nfsd", nfsdFS, "nfsd", 0, ""); err != nil {
			return fmt.Errorf("mount nfsd on %s: %w", nfsdFS, err)
		}
		srv.mountedFS = true
	}
	if nfsdThreads() == 0 {
		if err := srv.start(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.base = append(s.base, srv.stop)
	s.mu.Unlock()
	s.nfs = srv
	return nil
}

// start runs rpc.mountd (it answers the kernel's export lookups, in our
// mount namespace, where the scratch is visible) and the nfsd threads.
func (srv *nfsServer) start() error {
	p, err := lookProg("rpc.mountd")
	if err != nil {
		return err
	}
	srv.mountd = exec.Command(p, "-F", "-N", "3", "--no-udp")
	if err := srv.mountd.Start(); err != nil {
		srv.mountd = nil
		return err
	}
	// A fresh server refuses NFSv4 OPEN for its grace period (90 s by
	// default) while clients could reclaim state; there are none, so the
	// grace is cut to the shortest and then ended outright.
	if _, err := run("rpc.nfsd", "-N", "3", "--no-udp", "-G", "10", "2"); err != nil {
		return err
	}
	srv.threads = true
	_ = os.WriteFile(nfsdFS+"/v4_end_grace", []byte("Y"), 0)
	return nil
}

// stop undoes what start and startNFS did, in reverse.
func (srv *nfsServer) stop() error {
	var errs []error
	if srv.threads {
		_, err := run("rpc.nfsd", "0")
		errs = append(errs, err)
	}
	if srv.mountd != nil {
		errs = append(errs, stopProcess(srv.mountd))
	}
	if srv.mountedFS {
		errs = append(errs, unmount(nfsdFS))
	}
	return errors.Join(errs...)
}

// stopProcess ends a child we started, by its PID: SIGTERM, then SIGKILL
// after two seconds.
func stopProcess(cmd *exec.Cmd) error {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-time.After(2 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("%s (pid %d) ignored SIGTERM: killed", cmd.Path, cmd.Process.Pid)
	}
}

// nfsdThreads is how many nfsd threads run (0 when unknown).
func nfsdThreads() int {
	b, err := os.ReadFile(nfsdFS + "/threads")
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}
