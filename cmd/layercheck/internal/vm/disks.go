package vm

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/guest"
)

// makeScratch makes a sparse raw disk image of size bytes holding an
// empty ext4 filesystem: ext4 has user xattrs on every kernel, which
// tmpfs has only since 6.6.
func makeScratch(path string, size int64) error {
	if err := makeBlank(path, size); err != nil {
		return err
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1", path).CombinedOutput(); err != nil {
		return fmt.Errorf("mkfs.ext4 %s: %v: %s", path, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// makeBlank makes a sparse file of size bytes.
func makeBlank(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// result is what the guest wrote to the output disk.
type result struct {
	exit  int
	files map[string][]byte // tar entry name -> contents
}

// readOut reads the output disk's tar stream. ok is false when the guest
// never wrote its exit code (it died first).
func readOut(path string) (r result, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return r, false, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	r.files = map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A disk the guest never wrote is all zeros: no entry, EOF.
			// Anything else is a stream cut short.
			return r, ok, nil
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return r, ok, nil
		}
		if h.Name == guest.ExitEntry {
			if r.exit, err = strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				ok = true
			}
			continue
		}
		r.files[filepath.Clean(h.Name)] = b
	}
	return r, ok, nil
}
