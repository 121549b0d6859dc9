// Package kmod finds a kernel's loadable modules in a module tree
// (lib/modules/RELEASE as `make modules_install` or a Debian package lays
// it out) and orders the ones a run needs after their dependencies.
//
// A module's dependencies come from its own .modinfo ELF section (the
// "depends=" field), so no modules.dep (and no depmod) is needed: a
// Debian linux-image package ships none.
package kmod

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Tree is one kernel's module tree.
type Tree struct {
	Dir     string            // lib/modules/RELEASE
	paths   map[string]string // module name -> file
	builtin map[string]bool   // built into the kernel (modules.builtin)
}

// Name is the module name of a file: its base name without .ko[.gz], with
// '-' read as '_' as the kernel does.
func Name(file string) string {
	b := filepath.Base(file)
	for _, ext := range []string{".gz", ".xz", ".zst"} {
		b = strings.TrimSuffix(b, ext)
	}
	return strings.ReplaceAll(strings.TrimSuffix(b, ".ko"), "-", "_")
}

// Open indexes the modules beneath dir.
func Open(dir string) (*Tree, error) {
	t := &Tree{Dir: dir, paths: map[string]string{}, builtin: map[string]bool{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.Contains(d.Name(), ".ko") {
			t.paths[Name(p)] = p
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "modules.builtin")); err == nil {
		for _, l := range strings.Fields(string(b)) {
			t.builtin[Name(l)] = true
		}
	}
	return t, nil
}

// Path is the file of module name, "" when the tree has none.
func (t *Tree) Path(name string) string { return t.paths[Name(name)] }

// Builtin says whether the kernel has name built in.
func (t *Tree) Builtin(name string) bool { return t.builtin[Name(name)] }

// Contents reads a module file, uncompressing a .ko.gz. Other compressions
// (xz, zstd) have no reader in the standard library: build the kernel
// with CONFIG_MODULE_COMPRESS_NONE, or uncompress the tree first.
func Contents(path string) ([]byte, error) {
	switch {
	case strings.HasSuffix(path, ".ko"):
		return os.ReadFile(path)
	case strings.HasSuffix(path, ".ko.gz"):
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return io.ReadAll(zr)
	}
	return nil, fmt.Errorf("%s: compressed module layercheck cannot read (uncompress the tree, or build with CONFIG_MODULE_COMPRESS_NONE)", path)
}

// Depends reads the "depends=" field of a module's .modinfo section: the
// modules it needs loaded first.
func Depends(ko []byte) ([]string, error) {
	f, err := elf.NewFile(bytes.NewReader(ko))
	if err != nil {
		return nil, err
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("no .modinfo section")
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	for _, field := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(field, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil
}

// Resolve orders the modules wanted with everything they depend on,
// dependencies first. Wanted modules the kernel has built in or lacks are
// left out; lacking ones are returned in missing (the run then finds out
// what it cannot do and says so). A dependency that is missing is an
// error: the module needing it would not load.
func (t *Tree) Resolve(wanted []string) (order, missing []string, err error) {
	seen := map[string]bool{}
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		name = Name(name)
		if seen[name] || t.builtin[name] {
			return nil
		}
		p := t.paths[name]
		if p == "" {
			return fmt.Errorf("module %s (needed by %s) is not in %s", name, strings.Join(chain, " <- "), t.Dir)
		}
		seen[name] = true
		ko, err := Contents(p)
		if err != nil {
			return err
		}
		deps, err := Depends(ko)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		sort.Strings(deps)
		for _, d := range deps {
			if err := visit(d, append([]string{name}, chain...)); err != nil {
				return err
			}
		}
		order = append(order, p)
		return nil
	}
	for _, w := range wanted {
		if t.paths[Name(w)] == "" && !t.builtin[Name(w)] {
			missing = append(missing, w)
			continue
		}
		if err := visit(w, nil); err != nil {
			return nil, nil, err
		}
	}
	return order, missing, nil
}

// Release reads the kernel release an x86 bzImage (or a Debian vmlinuz)
// names in its setup header: the string kernel_version points at.
func Release(image string) (string, error) {
	f, err := os.Open(image)
	if err != nil {
		return "", err
	}
	defer f.Close()
	hdr := make([]byte, 0x210)
	if _, err := io.ReadFull(f, hdr); err != nil || string(hdr[0x202:0x206]) != "HdrS" {
		return "", fmt.Errorf("%s: not an x86 bzImage (no HdrS setup header)", image)
	}
	off := int64(hdr[0x20e]) | int64(hdr[0x20f])<<8
	if off == 0 {
		return "", fmt.Errorf("%s: the setup header names no kernel version", image)
	}
	if _, err := f.Seek(off+0x200, io.SeekStart); err != nil {
		return "", err
	}
	s, err := bufio.NewReader(f).ReadString(0)
	if err != nil {
		return "", fmt.Errorf("%s: kernel version string: %w", image, err)
	}
	// "6.1.0-57-cloud-amd64 (debian-kernel@...) #1 SMP ...": the release
	// is the first word.
	fields := strings.Fields(strings.TrimRight(s, "\x00"))
	if len(fields) == 0 {
		return "", fmt.Errorf("%s: empty kernel version string", image)
	}
	return fields[0], nil
}
