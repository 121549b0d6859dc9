package kernfeat

import (
	"os"
	"strings"
	"testing"
)

// TestProbesOnThisKernel: the probes run, and CheckMinimum passes (CI runs
// on a kernel newer than 5.15). What each found is logged: on 6.18 none is
// missing.
func TestProbesOnThisKernel(t *testing.T) {
	if err := CheckMinimum(); err != nil {
		t.Fatal(err)
	}
	for _, f := range MissingFeatures() {
		if f.OnDemand {
			t.Errorf("%s is probed on demand only, yet listed before anything asked", f.Name)
		}
	}
	for _, f := range Features {
		t.Logf("%s (Linux %s): missing=%v", f.Name, f.Since, Missing(f.Name))
	}
}

// TestPretend: EnvPretend makes a feature missing and the summary says it
// was pretended; an unknown name is refused.
func TestPretend(t *testing.T) {
	t.Setenv(EnvPretend, "fchmodat2, lowerdir+")
	if !Missing(Fchmodat2) || !Missing(LowerdirPlus) {
		t.Fatal("pretended features are not missing")
	}
	if err := CheckPretend(); err != nil {
		t.Fatal(err)
	}
	s := Summary()
	if !strings.Contains(s, "fchmodat2 (Linux 6.6") || !strings.Contains(s, "lowerdir+ (Linux 6.8") {
		t.Errorf("summary %q does not name the pretended features", s)
	}
	if !strings.Contains(s, "pretended") {
		t.Errorf("summary %q does not say the features were pretended missing", s)
	}
	t.Setenv(EnvPretend, "all")
	if len(MissingFeatures()) != len(Features) {
		t.Errorf("all: %d of %d features missing", len(MissingFeatures()), len(Features))
	}
	t.Setenv(EnvPretend, "fchmodat3")
	if err := CheckPretend(); err == nil || !strings.Contains(err.Error(), `"fchmodat3"`) {
		t.Errorf("unknown name: %v", err)
	}
}

// TestXattrWhiteoutProbeCanSayNo: without the whiteout's xattr the probe's
// file shows, so the probe reports the stack as not hiding it: a kernel
// that ignores the xattr would be found out.
func TestXattrWhiteoutProbeCanSayNo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (mounts)")
	}
	if xwhiteoutHides(false) {
		t.Error("a file without the whiteout xattr is hidden: the probe cannot tell")
	}
	t.Logf("with the xattr: hidden=%v", xwhiteoutHides(true))
}
