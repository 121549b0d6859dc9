package sandbox

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/kernfeat"
	"github.com/layercheck/layercheck/harness/layout"
	"golang.org/x/sys/unix"
)

// TestScratchExt4WhereTmpfsLacksUserXattrs: with tmpfs's user xattrs
// pretended missing, the run's scratch is an ext4 image that keeps them,
// and Close leaves nothing mounted and nothing on disk.
func TestScratchExt4WhereTmpfsLacksUserXattrs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if why := layout.Available(layout.Ext4); why != "" {
		t.Skip(why)
	}
	t.Setenv(kernfeat.EnvPretend, kernfeat.TmpfsUserXattr)
	base := t.TempDir()
	s, err := NewScratch(base, true)
	if err != nil {
		t.Fatal(err)
	}
	if s.FSType != "ext4" {
		t.Errorf("scratch on %s, want ext4", s.FSType)
	}
	p := filepath.Join(s.Dir, "f")
	werr := os.WriteFile(p, nil, 0o644)
	xerr := unix.Lsetxattr(p, "user.a", []byte("v"), 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if werr != nil || xerr != nil {
		t.Errorf("file on the scratch: %v; user xattr: %v", werr, xerr)
	}
	if left, _ := mounts.Beneath(base); len(left) > 0 {
		t.Errorf("left mounted: %v", left)
	}
	if ents, _ := os.ReadDir(base); len(ents) > 0 {
		t.Errorf("left in the scratch base: %v", ents)
	}
}
