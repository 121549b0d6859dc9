package vm

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/cpio"
)

// addTree adds every directory, regular file and symlink beneath root to
// the archive at the same path below "/", and returns the host libraries
// its dynamically linked programs load that the tree has not: a tree of
// Debian packages unpacked with dpkg-deb -x (nfs-kernel-server and the
// like) then runs in the guest as installed.
func addTree(w *cpio.Writer, root string) (map[string]string, error) {
	libs := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		guestPath := "/" + filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return w.Dir(guestPath, info.Mode())
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return w.Symlink(guestPath, target)
		case d.Type().IsRegular():
			if info.Mode()&0o111 != 0 && isDynamic(p) {
				for _, l := range treeLibs(root, p) {
					libs[l] = l
				}
			}
			return w.CopyFile(guestPath, p)
		}
		return nil
	})
	return libs, err
}

func isDynamic(p string) bool {
	static, err := isStatic(p)
	return err == nil && !static
}

// treeLibs lists the libraries outside root that program (in root) loads,
// ldd finding the tree's own libraries first.
func treeLibs(root, program string) []string {
	cmd := exec.Command("ldd", program)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(root, "lib/x86_64-linux-gnu")+":"+filepath.Join(root, "usr/lib/x86_64-linux-gnu"))
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	var host []string
	for _, l := range lddPaths(string(out)) {
		if !strings.HasPrefix(l, root+"/") {
			host = append(host, l)
		}
	}
	return host
}
