package layout

import (
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/kernfeat"
)

// TestTmpfsLayoutsWhereTmpfsLacksUserXattrs: with tmpfs's user xattrs
// pretended missing, a layout whose scratch is a tmpfs gets an ext4 image
// and its stack works; perlayer is refused, naming the feature.
func TestTmpfsLayoutsWhereTmpfsLacksUserXattrs(t *testing.T) {
	t.Setenv(kernfeat.EnvPretend, kernfeat.TmpfsUserXattr)
	for _, n := range []Name{Nested, Squashfs} {
		t.Run(string(n), func(t *testing.T) {
			needLayout(t, n)
			s := newScratch(t, n, tempRoot(t), Options{})
			if s.FSType() != "ext4" {
				t.Errorf("FSType = %s, want ext4", s.FSType())
			}
			stackScenario(t, s)
		})
	}
	if why := Available(PerLayer); !strings.Contains(why, "tmpfs-user-xattr") {
		t.Errorf("Available(perlayer) = %q, want a refusal naming tmpfs-user-xattr", why)
	}
}
