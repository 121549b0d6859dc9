package vm

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/cpio"
	"github.com/layercheck/layercheck/cmd/layercheck/internal/guest"
	"github.com/layercheck/layercheck/cmd/layercheck/internal/kmod"
)

// initramfs is what goes into the guest's initial root filesystem.
type initramfs struct {
	init    string            // the static layercheck binary
	modules []string          // host module files, in load order
	files   map[string]string // guest path -> host file
	trees   []string          // host directories laid over "/" (addTree)
	config  guest.Config
}

// guestModulePath is where a module file goes in the guest.
func guestModulePath(f string) string {
	return "/lib/modules/" + kmod.Name(f) + ".ko"
}

// write writes the initramfs as a newc cpio archive to path.
func (r *initramfs) write(dst string) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	w := cpio.NewWriter(bw)
	if err := w.CopyFile("/init", r.init); err != nil {
		return err
	}
	cfg := r.config
	if cfg.Modules, err = r.addModules(w); err != nil {
		return err
	}
	if err := r.addTrees(w); err != nil {
		return err
	}
	for _, d := range []string{"/proc", "/sys", "/dev", "/tmp", "/run", "/var/tmp", "/root", "/etc"} {
		if err := w.Dir(d, 0o755); err != nil {
			return err
		}
	}
	// Programs look users and groups up by number; a root-only table is
	// enough for names in messages.
	if err := w.File("/etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n")); err != nil {
		return err
	}
	if err := w.File("/etc/group", 0o644, []byte("root:x:0:\n")); err != nil {
		return err
	}
	if err := writeEtc(w); err != nil {
		return err
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	if err := w.File(guest.ConfigPath, 0o644, b); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return out.Close()
}

// addTrees writes the carried trees and every file the initramfs takes,
// the libraries the trees' programs need among them.
func (r *initramfs) addTrees(w *cpio.Writer) error {
	for _, t := range r.trees {
		libs, err := addTree(w, t)
		if err != nil {
			return err
		}
		for l := range libs {
			if _, ok := r.files[l]; !ok {
				r.files[l] = l
			}
		}
	}
	for g, h := range r.files {
		if err := w.CopyFile(g, h); err != nil {
			return err
		}
	}
	return nil
}

// writeEtc writes the name tables the carried programs look names up in:
// the host's services and protocols (rpc.nfsd resolves "nfs"), a hosts
// file for localhost, and an nsswitch.conf saying "files".
func writeEtc(w *cpio.Writer) error {
	for _, f := range []string{"/etc/services", "/etc/protocols", "/etc/rpc", "/etc/netconfig"} {
		if _, err := os.Stat(f); err == nil {
			if err := w.CopyFile(f, f); err != nil {
				return err
			}
		}
	}
	// exportfs reads /etc/exports before it adds an export: an empty one.
	if err := w.File("/etc/exports", 0o644, nil); err != nil {
		return err
	}
	if err := w.File("/etc/hosts", 0o644, []byte("127.0.0.1 localhost\n::1 localhost\n")); err != nil {
		return err
	}
	return w.File("/etc/nsswitch.conf", 0o644, []byte("passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\nrpc: files\n"))
}

// addModules adds the module files, uncompressed, and returns their
// guest paths in load order.
func (r *initramfs) addModules(w *cpio.Writer) ([]string, error) {
	var paths []string
	for _, m := range r.modules {
		data, err := kmod.Contents(m)
		if err != nil {
			return nil, err
		}
		if err := w.File(guestModulePath(m), 0o644, data); err != nil {
			return nil, err
		}
		paths = append(paths, guestModulePath(m))
	}
	return paths, nil
}

// programs finds the named programs on the host and returns them with the
// shared libraries they load (as ldd lists them), each at its own path:
// the guest runs them as they are. Programs the host lacks are left out
// (the run in the guest then reports their backend unavailable).
func programs(names ...string) map[string]string {
	files := map[string]string{}
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			continue
		}
		p, _ = filepath.Abs(p)
		files[p] = p
		out, err := exec.Command("ldd", p).Output()
		if err != nil {
			continue // static, or no ldd: the program alone
		}
		for _, lib := range lddPaths(string(out)) {
			files[lib] = lib
		}
	}
	return files
}

// lddPaths reads the library paths out of ldd's output:
// "libfuse3.so.3 => /lib/x86_64-linux-gnu/libfuse3.so.3 (0x...)" and
// "/lib64/ld-linux-x86-64.so.2 (0x...)".
func lddPaths(out string) []string {
	var libs []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if _, after, ok := strings.Cut(l, "=> "); ok {
			l = after
		}
		f := strings.Fields(l)
		if len(f) > 0 && path.IsAbs(f[0]) {
			libs = append(libs, f[0])
		}
	}
	return libs
}
