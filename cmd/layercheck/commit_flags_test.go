package main

import (
	"strings"
	"testing"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
)

// TestBuildWithRefusesFormatsThatDisagree: layers of a backend whose
// on-disk format the runtime backend does not read, or --build-with with
// an extract build, are bad usage (exit 2, one line naming the flag).
func TestBuildWithRefusesFormatsThatDisagree(t *testing.T) {
	RequireRoot(t)
	scratch := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--build-with", "unionfs-fuse"}, "--build-with: unionfs-fuse writes layers in the unionfs-fuse format"},
		{[]string{"--build-with", "fuse-overlayfs", "--build", "extract"}, "--build-with: only with --build mount"},
		{[]string{"--build-with", "nope"}, `--build-with: unknown backend "nope"`},
	} {
		code, _, stderr := layercheck(t, append(c.args, "--scratch", scratch, "--quiet")...)
		if code != exitUsage || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestMatrixTargetBuiltByAnotherBackend: RUNTIME<-BUILD names both
// backends; formats that disagree are refused.
func TestMatrixTargetBuiltByAnotherBackend(t *testing.T) {
	tg, err := newMatrixTarget("overlay:redirect<-fuse-overlayfs", "")
	if err != nil || tg.Backend.Name() != "overlay" || tg.Backend.Options() != "redirect_dir=on,index=on" || tg.BuildWith == nil || tg.BuildWith.Name() != "fuse-overlayfs" {
		t.Fatalf("overlay:redirect<-fuse-overlayfs: %+v, %v", tg, err)
	}
	if tg, err := newMatrixTarget("fuse-overlayfs", ""); err != nil || tg.BuildWith != nil {
		t.Errorf("fuse-overlayfs: %+v, %v", tg, err)
	}
	bad, err := newMatrixTarget("overlay<-unionfs-fuse", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := planTargets([]*matrixTarget{bad}, harness.Plan{Bases: fixtures.Bases("")}); err == nil {
		t.Error("overlay<-unionfs-fuse: formats that disagree were taken")
	}
}
