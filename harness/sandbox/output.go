package sandbox

import (
	"errors"
	"os"
	"path/filepath"
)

// copyOut copies what a rootless child staged at staged to dest, as the
// host's root: a file, or a directory's files (a reproducer directory),
// with their modes. Nothing staged is nothing to copy: the run did not
// write that output.
func copyOut(staged, dest string) error {
	st, err := os.Lstat(staged)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return copyFile(staged, dest, st.Mode().Perm())
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(staged)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if err := copyFile(filepath.Join(staged, e.Name()), filepath.Join(dest, e.Name()), info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string, perm os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to, b, perm); err != nil {
		return err
	}
	return os.Chmod(to, perm) // an existing file keeps its mode otherwise
}
