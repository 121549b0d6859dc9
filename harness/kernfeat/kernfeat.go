package kernfeat

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
)

// Names of the features, as LAYERCHECK_PRETEND_MISSING and the report
// spell them.
const (
	Fchmodat2      = "fchmodat2"
	Xattrat        = "setxattrat"
	LowerdirPlus   = "lowerdir+"
	DatadirPlus    = "datadir+"
	TmpfsUserXattr = "tmpfs-user-xattr"
	XattrWhiteouts = "xattr-whiteouts"
	TmpfsCasefold  = "tmpfs-casefold"
)

// EnvPretend names the features to report as missing, comma-separated, or
// "all": the fallbacks then run whatever the kernel has.
const EnvPretend = "LAYERCHECK_PRETEND_MISSING"

// Feature is one kernel feature newer than 5.15 that the harness uses.
type Feature struct {
	Name  string // as EnvPretend spells it
	What  string // what it is, for the reader of the report
	Since string // the kernel release that brought it
	// Fallback is what the harness does without it; "" when nothing
	// replaces it and what needs it skips.
	Fallback string
	// OnDemand features are probed only when something asks for them
	// (their probe costs a mount, and on some kernels a kernel log line),
	// and MissingFeatures lists them only once probed or pretended.
	OnDemand bool
	present  func() bool
}

// Features lists every probed feature, in the order reports show them.
var Features = []Feature{
	{Name: Fchmodat2, Since: "6.6", What: "fchmodat2(2): chmod of a descriptor or without following a symlink",
		Fallback: "chmod(2) on the /proc/self/fd path of an O_PATH descriptor (a symlink refused with EOPNOTSUPP, as fchmodat2 does)",
		present:  hasFchmodat2},
	{Name: Xattrat, Since: "6.13", What: "setxattrat/getxattrat/listxattrat/removexattrat(2)",
		Fallback: "l*xattr(2) on the /proc/self/fd path of the parent's O_PATH descriptor and the name",
		present:  hasXattrat},
	{Name: LowerdirPlus, Since: "6.8", What: `overlayfs fsconfig key "lowerdir+" (one layer per call)`,
		Fallback: `one "lowerdir=" string through mount(2), ':' ',' '\' escaped, layer paths relative to their common directory (the string is limited to one page)`,
		present:  hasLowerdirPlus},
	{Name: DatadirPlus, Since: "6.8", What: `overlayfs fsconfig key "datadir+" (data-only layers, one per call)`,
		present: hasDatadirPlus},
	{Name: TmpfsUserXattr, Since: "6.6", What: "user.* xattrs on tmpfs",
		Fallback: "the run's scratch on a loop-mounted ext4 image instead of a tmpfs",
		present:  hasTmpfsUserXattr},
	{Name: XattrWhiteouts, Since: "6.7", What: `overlayfs whiteouts as "overlay.whiteout" xattrs in a directory with "overlay.opaque" = "x" (6.8-rc2's form, in 6.7.3)`,
		OnDemand: true, present: hasXattrWhiteouts},
	{Name: TmpfsCasefold, Since: "6.13", What: `tmpfs mounted with "casefold=utf8" (needs CONFIG_UNICODE): the casefolded layers overlayfs takes since 6.17`,
		OnDemand: true, present: hasTmpfsCasefold},
}

// Lookup returns the feature called name.
func Lookup(name string) (Feature, bool) {
	i := slices.IndexFunc(Features, func(f Feature) bool { return f.Name == name })
	if i < 0 {
		return Feature{}, false
	}
	return Features[i], true
}

var (
	mu     sync.Mutex
	probed = map[string]bool{} // name -> present, once probed
)

// Missing reports whether the kernel lacks the feature called name (or
// EnvPretend says to act as if it did). The probe runs once per process.
// An unknown name panics: it is a typo in the harness. The probes that
// mount (lowerdir+, datadir+, tmpfs-user-xattr, xattr-whiteouts) need
// CAP_SYS_ADMIN and say "present" when they cannot try: a session probes
// every feature as root before anything else (harness.OpenSession).
func Missing(name string) bool {
	f, ok := Lookup(name)
	if !ok {
		panic("kernfeat: unknown feature " + name)
	}
	if pretended(name) {
		return true
	}
	mu.Lock()
	defer mu.Unlock()
	has, done := probed[name]
	if !done {
		has = f.present()
		probed[name] = has
	}
	return !has
}

// MissingFeatures probes every feature (but those OnDemand not asked for)
// and returns those missing, in the order of Features.
func MissingFeatures() []Feature {
	var out []Feature
	for _, f := range Features {
		if f.OnDemand && !pretended(f.Name) && !wasProbed(f.Name) {
			continue
		}
		if Missing(f.Name) {
			out = append(out, f)
		}
	}
	return out
}

// Pretended reports whether f is missing only because EnvPretend says so.
func Pretended(name string) bool {
	if !pretended(name) {
		return false
	}
	mu.Lock()
	has, done := probed[name]
	mu.Unlock()
	if !done {
		f, _ := Lookup(name)
		has = f.present()
	}
	return has
}

// pretended reports whether EnvPretend names the feature (or says all).
func pretended(name string) bool {
	for _, n := range strings.Split(os.Getenv(EnvPretend), ",") {
		if n = strings.TrimSpace(n); n == name || n == "all" {
			return true
		}
	}
	return false
}

// pretendedExactly reports whether EnvPretend names name itself.
func pretendedExactly(name string) bool {
	for _, n := range strings.Split(os.Getenv(EnvPretend), ",") {
		if strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}

// CheckPretend checks EnvPretend: every name in it must be a feature.
func CheckPretend() error {
	for _, n := range strings.Split(os.Getenv(EnvPretend), ",") {
		n = strings.TrimSpace(n)
		if _, ok := Lookup(n); ok || n == "" || n == "all" || n == Floor {
			continue
		}
		names := make([]string, len(Features))
		for i, f := range Features {
			names[i] = f.Name
		}
		return fmt.Errorf("%s: unknown feature %q (known: all, %s)", EnvPretend, n, strings.Join(names, ", "))
	}
	return nil
}

// Summary is one line on what is missing: "" when nothing is, else the
// features with the kernel that brought each and the fallback in use.
func Summary() string {
	var parts []string
	for _, f := range MissingFeatures() {
		s := fmt.Sprintf("%s (Linux %s", f.Name, f.Since)
		if Pretended(f.Name) {
			s += ", pretended by " + EnvPretend
		}
		if f.Fallback != "" {
			s += "; instead: " + f.Fallback
		} else {
			s += "; what needs it skips"
		}
		parts = append(parts, s+")")
	}
	if len(parts) == 0 {
		return ""
	}
	return "kernel lacks: " + strings.Join(parts, "; ")
}

// wasProbed reports whether the feature called name was probed already.
func wasProbed(name string) bool {
	mu.Lock()
	defer mu.Unlock()
	_, done := probed[name]
	return done
}
