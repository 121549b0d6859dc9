package vm

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModulePath is the Go module whose cmd/layercheck is built when the
// running binary cannot serve as init.
const ModulePath = "github.com/layercheck/layercheck"

// isStatic says whether the ELF file has no program interpreter: the
// kernel can run it with nothing else in the initramfs.
func isStatic(file string) (bool, error) {
	f, err := elf.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false, nil
		}
	}
	return true, nil
}

// StaticBinary returns a static layercheck for the guest's /init: the
// running one when it is static, else one built with CGO_ENABLED=0 from
// the module's source (found from the working directory up) into dir.
func StaticBinary(dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	if ok, err := isStatic(self); err == nil && ok {
		return self, nil
	}
	src, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("%s is dynamically linked and cannot be init in the guest, and %v: build one with `CGO_ENABLED=0 go build ./cmd/layercheck`", self, err)
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("%s is dynamically linked and there is no go command to build a static one from %s: build one with `CGO_ENABLED=0 go build ./cmd/layercheck`", self, src)
	}
	out := filepath.Join(dir, "layercheck")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/layercheck")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building a static layercheck in %s: %v: %s", src, err, strings.TrimSpace(string(msg)))
	}
	return out, nil
}

// moduleRoot finds the source of ModulePath: the working directory or
// one of its parents with its go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(b)), "module "+ModulePath) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no source of " + ModulePath + " in the working directory or above")
		}
		dir = parent
	}
}
