package commit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"golang.org/x/sys/unix"
)

// Test helpers: layers built by hand, real mounts, snapshots of trees.

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: mounts and real ownership")
	}
}

// run runs a command and fails the test on error.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// must fails the test on err.
func must(t *testing.T, err error) {
	if err != nil {
		t.Fatalf("%v\n%s", err, debug.Stack())
	}
}

// writeFile and mkdir take the mode in octal with setuid (0o4000),
// setgid (0o2000) and sticky (0o1000) as chmod(2) does; os.Chmod would
// drop those bits.
func writeFile(t *testing.T, p, data string, mode uint32) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.WriteFile(p, []byte(data), 0o600))
	must(t, unix.Chmod(p, mode))
}

func mkdir(t *testing.T, p string, mode uint32) {
	t.Helper()
	must(t, os.MkdirAll(p, 0o755))
	must(t, unix.Chmod(p, mode))
}

// dirs makes fresh directories under a test's temp dir.
func dirs(t *testing.T, names ...string) map[string]string {
	base := t.TempDir()
	out := map[string]string{"base": base}
	for _, n := range names {
		out[n] = filepath.Join(base, n)
		must(t, os.Mkdir(out[n], 0o755))
	}
	return out
}

// mounted reports the mount points at or under dir (from mountinfo).
func mounted(t *testing.T, dir string) []string {
	t.Helper()
	out, err := mounts.Beneath(dir)
	must(t, err)
	return out
}

// noMounts registers the end-of-test check that nothing stays mounted
// under the test's directories. Registered first, it runs last.
func noMounts(t *testing.T, base string) {
	t.Cleanup(func() {
		if m := mounted(t, base); len(m) > 0 {
			t.Errorf("still mounted at the end of the test: %v", m)
		}
	})
}

// mountOverlay mounts kernel overlayfs; the returned function unmounts it
// (once; a cleanup unmounts it on every other path).
func mountOverlay(t *testing.T, target, opts string) func() {
	t.Helper()
	must(t, unix.Mount("overlay", target, "overlay", 0, opts))
	done := false
	umount := func() {
		if done {
			return
		}
		done = true
		if err := unix.Unmount(target, 0); err != nil {
			t.Errorf("unmount %s: %v", target, err)
			_ = unix.Unmount(target, unix.MNT_DETACH)
		}
	}
	t.Cleanup(umount)
	return umount
}

// fuseDaemon is a FUSE filesystem this test started in the foreground.
type fuseDaemon struct {
	cmd    *exec.Cmd
	target string
	out    *os.File // not a pipe: Wait would wait for whoever holds it
	exited chan error
}

// mountFuse starts argv (a FUSE program in the foreground) for target,
// waits for the mount, and returns the unmount function: fusermount3 -u,
// then a wait for the daemon; only this daemon, by PID, is killed if it
// does not exit.
func mountFuse(t *testing.T, target string, argv ...string) func() {
	t.Helper()
	d := &fuseDaemon{cmd: exec.Command(argv[0], argv[1:]...), target: target, exited: make(chan error, 1)}
	out, err := os.CreateTemp(t.TempDir(), "daemon-out-")
	must(t, err)
	d.out = out
	t.Cleanup(func() { out.Close() })
	d.cmd.Stdout, d.cmd.Stderr = out, out
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	must(t, d.cmd.Start())
	go func() { d.exited <- d.cmd.Wait() }()
	done := false
	umount := func() {
		if done {
			return
		}
		done = true
		d.stop(t)
	}
	t.Cleanup(umount)
	deadline := time.Now().Add(10 * time.Second)
	for len(mounted(t, target)) == 0 {
		select {
		case err := <-d.exited:
			d.exited <- err
			t.Fatalf("%s exited before mounting: %v\n%s", argv[0], err, d.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not mount %s in time\n%s", argv[0], target, d.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return umount
}

func (d *fuseDaemon) output() string {
	b, _ := os.ReadFile(d.out.Name())
	return string(b)
}

func (d *fuseDaemon) stop(t *testing.T) {
	if len(mounted(t, d.target)) > 0 {
		if out, err := exec.Command("fusermount3", "-u", "--", d.target).CombinedOutput(); err != nil {
			t.Errorf("fusermount3 -u %s: %v\n%s", d.target, err, out)
			_ = exec.Command("fusermount3", "-u", "-z", "--", d.target).Run()
		}
	}
	select {
	case <-d.exited:
	case <-time.After(20 * time.Second): // unionfs-fuse takes seconds at times
		// Unmounted, but still running: seen once in ~30 runs. Not a
		// round-trip failure; the state is logged for whoever looks.
		t.Logf("FUSE daemon %d did not exit 20 s after the unmount; killing it\n%s", d.cmd.Process.Pid, procState(d.cmd.Process.Pid))
		_ = d.cmd.Process.Kill()
		<-d.exited
	}
}

// entry is what a snapshot records of one path: everything a user sees
// of it without following it, but inode numbers and link counts (kept as
// the group of names that share an inode).
type entry struct {
	Type, Mode string
	UID, GID   uint32
	Content    string // files: sha256; symlinks: target; devices: major:minor
	Mtime      string
	Xattrs     string // sorted name=value list
	Links      string // the names sharing the inode, for non-directories
}

// snapshot reads the tree at dir. skip leaves paths out (with their
// subtrees).
func snapshot(t *testing.T, dir string, skip func(rel string) bool) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	inodes := map[[2]uint64][]string{}
	key := map[string][2]uint64{}
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if skip != nil && rel != "." && skip(rel) {
			var st unix.Stat_t
			if unix.Lstat(p, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
				return filepath.SkipDir
			}
			return nil
		}
		e, k, err := snapEntry(p)
		if err != nil {
			return err
		}
		out[rel] = e
		if e.Type != "dir" {
			inodes[k] = append(inodes[k], rel)
			key[rel] = k
		}
		return nil
	})
	must(t, err)
	for rel, k := range key {
		names := inodes[k]
		sort.Strings(names)
		e := out[rel]
		e.Links = strings.Join(names, ",")
		out[rel] = e
	}
	return out
}

func snapEntry(p string) (entry, [2]uint64, error) {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return entry{}, [2]uint64{}, err
	}
	e := entry{Type: fsop.TypeOf(st.Mode), Mode: fmt.Sprintf("%04o", st.Mode&0o7777), UID: st.Uid, GID: st.Gid,
		Mtime: fmt.Sprintf("%d.%09d", st.Mtim.Sec, st.Mtim.Nsec)}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		f, err := os.Open(p)
		if err != nil {
			return e, [2]uint64{}, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return e, [2]uint64{}, err
		}
		e.Content = hex.EncodeToString(h.Sum(nil))[:16]
	case unix.S_IFLNK:
		target, err := os.Readlink(p)
		if err != nil {
			return e, [2]uint64{}, err
		}
		e.Content = "-> " + target
	case unix.S_IFCHR, unix.S_IFBLK:
		e.Content = fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
	}
	fd, err := unix.Open(p, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return e, [2]uint64{}, err
	}
	defer unix.Close(fd)
	xa, err := listXattrs(fdPath(fd))
	if err != nil {
		return e, [2]uint64{}, err
	}
	var kv []string
	for k, v := range xa {
		kv = append(kv, fmt.Sprintf("%s=%q", k, v))
	}
	sort.Strings(kv)
	e.Xattrs = strings.Join(kv, " ")
	return e, [2]uint64{st.Dev, st.Ino}, nil
}

// diffSnaps lists how got differs from want, one line a difference.
func diffSnaps(want, got map[string]entry) []string {
	var out []string
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			out = append(out, p+": missing")
		case g != w:
			out = append(out, fmt.Sprintf("%s:\n\twant %+v\n\tgot  %+v", p, w, g))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			out = append(out, p+": extra")
		}
	}
	sort.Strings(out)
	return out
}

// flatten copies what the lowers show (top first) into dst: a read-only
// overlay of them, copied with cp -a (hardlinks, xattrs, times, owners).
func flatten(t *testing.T, lowers []string, dst string) {
	t.Helper()
	if len(lowers) == 1 {
		run(t, "cp", "-a", "--preserve=all", lowers[0]+"/.", dst+"/")
		return
	}
	m := filepath.Join(t.TempDir(), "flat")
	must(t, os.Mkdir(m, 0o755))
	umount := mountOverlay(t, m, "lowerdir="+strings.Join(lowers, ":"))
	run(t, "cp", "-a", "--preserve=all", m+"/.", dst+"/")
	umount()
	// The copy's root is what the lowers' root is.
	var st unix.Stat_t
	must(t, unix.Lstat(lowers[0], &st))
	must(t, os.Lchown(dst, int(st.Uid), int(st.Gid)))
	must(t, unix.Chmod(dst, st.Mode&0o7777))
	must(t, unix.UtimesNano(dst, []unix.Timespec{st.Atim, st.Mtim}))
}

// roundTrip writes upper as a layer, applies it onto a flattened copy of
// lowers, and returns a snapshot of the result and the tar.
func roundTrip(t *testing.T, upper string, lowers []string, f Format, skip func(string) bool) (map[string]entry, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, upper, lowers, f); err != nil {
		t.Fatalf("Write: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "applied")
	must(t, os.Mkdir(dst, 0o755))
	flatten(t, lowers, dst)
	if err := Apply(bytes.NewReader(buf.Bytes()), dst); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return snapshot(t, dst, skip), buf.Bytes()
}

// procState describes a process's threads for a report of a hang.
func procState(pid int) string {
	var b strings.Builder
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	for _, task := range tasks {
		stat, _ := os.ReadFile(task + "/stat")
		wchan, _ := os.ReadFile(task + "/wchan")
		stack, _ := os.ReadFile(task + "/stack")
		fmt.Fprintf(&b, "%s wchan=%s\n%s\n", strings.TrimSpace(string(stat)), wchan, stack)
	}
	return b.String()
}
