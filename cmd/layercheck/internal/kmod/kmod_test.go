package kmod

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// testTree is the module tree of a real kernel package, unpacked: set
// LAYERCHECK_TEST_KERNEL_TREE to its lib/modules/RELEASE (CI unpacks
// Debian's 6.1 cloud kernel there), or LAYERCHECK_TEST_KERNEL_IMAGE to its
// vmlinuz beside it.
func testTree(t *testing.T) string {
	if dir := os.Getenv("LAYERCHECK_TEST_KERNEL_TREE"); dir != "" {
		return dir
	}
	deb := os.Getenv("LAYERCHECK_TEST_KERNEL_DEB")
	if deb == "" {
		t.Skip("neither LAYERCHECK_TEST_KERNEL_TREE (a lib/modules/RELEASE of a real kernel) nor LAYERCHECK_TEST_KERNEL_DEB (a linux-image .deb) is set")
	}
	x := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", deb, x).CombinedOutput(); err != nil {
		t.Skipf("dpkg-deb -x %s: %v: %s", deb, err, out)
	}
	rels, err := filepath.Glob(filepath.Join(x, "lib/modules/*"))
	if err != nil || len(rels) != 1 {
		t.Fatalf("%s holds module trees %q, want one", deb, rels)
	}
	return rels[0]
}

func TestDependsOfRealModule(t *testing.T) {
	tree, err := Open(testTree(t))
	if err != nil {
		t.Fatal(err)
	}
	p := tree.Path("virtio_blk")
	if p == "" {
		t.Skip("this kernel has no virtio_blk module")
	}
	ko, err := Contents(p)
	if err != nil {
		t.Fatal(err)
	}
	deps, err := Depends(ko)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(deps, "virtio") || !slices.Contains(deps, "virtio_ring") {
		t.Fatalf("virtio_blk depends on %q, want virtio and virtio_ring among them", deps)
	}
}

func TestResolveOrdersDependenciesFirst(t *testing.T) {
	tree, err := Open(testTree(t))
	if err != nil {
		t.Fatal(err)
	}
	order, missing, err := tree.Resolve([]string{"virtio_blk", "virtio_pci", "no_such_module"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(missing, []string{"no_such_module"}) {
		t.Fatalf("missing %q, want no_such_module", missing)
	}
	pos := map[string]int{}
	for i, p := range order {
		pos[Name(p)] = i
	}
	for _, before := range [][2]string{{"virtio", "virtio_blk"}, {"virtio_ring", "virtio_blk"}, {"virtio", "virtio_pci"}} {
		a, okA := pos[before[0]]
		b, okB := pos[before[1]]
		if !okA || !okB || a > b {
			t.Fatalf("order %q: %s must come before %s", order, before[0], before[1])
		}
	}
}

func TestReleaseOfImage(t *testing.T) {
	dir := testTree(t)
	rel := filepath.Base(dir)
	image := filepath.Join(dir, "../../../boot/vmlinuz-"+rel)
	if _, err := os.Stat(image); err != nil {
		t.Skipf("no %s beside the tree", image)
	}
	got, err := Release(image)
	if err != nil {
		t.Fatal(err)
	}
	if got != rel {
		t.Fatalf("Release = %q, want %q", got, rel)
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{"a/b/virtio-rng.ko": "virtio_rng", "x.ko.gz": "x", "fuse": "fuse"} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}
