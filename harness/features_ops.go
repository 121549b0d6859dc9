package harness

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"golang.org/x/sys/unix"
)

// probeOpFeatures tries the features of opRequires on the merged view at dir.
func probeOpFeatures(dir string) map[string]string {
	return map[string]string{scenario.FeatureUserXattrs: probeUserXattrs(dir), scenario.FeatureRenameNoreplace: probeRename(dir, "noreplace", unix.RENAME_NOREPLACE, false), scenario.FeatureRenameExchange: probeRename(dir, "exchange", unix.RENAME_EXCHANGE, true), scenario.FeatureTmpfile: probeTmpfile(dir)}
}

func probeUserXattrs(dir string) string {
	p := filepath.Join(dir, ".layercheck-probe-xattr")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		return "the probe could not create its file: " + err.Error()
	}
	defer os.Remove(p)
	if err := unix.Lsetxattr(p, "user.layercheck.probe", []byte("v"), 0); err != nil {
		return fmt.Sprintf("the backend refuses setxattr(user.*) on its merged view (%s)", fsop.OutcomeOf(err))
	}
	buf := make([]byte, 16)
	n, err := unix.Lgetxattr(p, "user.layercheck.probe", buf)
	if err != nil || !bytes.Equal(buf[:n], []byte("v")) {
		return fmt.Sprintf("getxattr(user.*) on the merged view does not return what was set (%s)", fsop.OutcomeOf(err))
	}
	return ""
}

// probeTmpfile opens an unnamed file in dir; closing it leaves nothing
// behind, on the merged view or in the layers.
func probeTmpfile(dir string) string {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Sprintf("the backend refuses open(O_TMPFILE) on its merged view (%s; kernel overlayfs has it since Linux 6.6)", fsop.OutcomeOf(err))
	}
	unix.Close(fd)
	return ""
}

func probeRename(dir, name string, flag uint, both bool) string {
	src := filepath.Join(dir, ".layercheck-probe-"+name)
	dst := src + ".to"
	if err := os.WriteFile(src, nil, 0o600); err != nil {
		return "the probe could not create its file: " + err.Error()
	}
	defer os.Remove(src)
	defer os.Remove(dst)
	if both {
		if err := os.WriteFile(dst, nil, 0o600); err != nil {
			return "the probe could not create its file: " + err.Error()
		}
	}
	if err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, flag); err != nil {
		return fmt.Sprintf("the backend refuses renameat2(RENAME_%s) on its merged view (%s)", upperName(name), fsop.OutcomeOf(err))
	}
	return ""
}

func upperName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// opRequires lists the features the ops of s need from the backend: those
// applied through a mount (layers above 0 and runtime). Ops on layer 0 and
// offline ops act on plain directories.
func opRequires(s scenario.Scenario) []string {
	var out []string
	seen := map[string]bool{}
	need := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, st := range s.Steps {
		if st.Phase == scenario.PhaseOffline || (st.Phase == scenario.PhaseLayer && st.Layer == 0 && st.Var == "") {
			continue
		}
		for _, op := range st.Ops {
			switch o := op.(type) {
			case fsop.SetXattr:
				need(scenario.FeatureUserXattrs)
				if f := xattrFeature(o.Name); f != "" { // features_perm.go
					need(f)
				}
			case fsop.RemoveXattr:
				need(scenario.FeatureUserXattrs)
				if f := xattrFeature(o.Name); f != "" {
					need(f)
				}
			case fsop.FsetxattrFD: // the same need, through a descriptor
				need(scenario.FeatureUserXattrs)
				if f := xattrFeature(o.Name); f != "" {
					need(f)
				}
			case fsop.OpenTmpfile:
				need(scenario.FeatureTmpfile)
			case fsop.Open:
				if o.Flags&unix.O_TMPFILE == unix.O_TMPFILE {
					need(scenario.FeatureTmpfile)
				}
			case fsop.Rename:
				if !renameReachesBackend(o) {
					continue
				}
				if o.Flags&unix.RENAME_NOREPLACE != 0 {
					need(scenario.FeatureRenameNoreplace)
				}
				if o.Flags&unix.RENAME_EXCHANGE != 0 {
					need(scenario.FeatureRenameExchange)
				}
				if o.Flags&unix.RENAME_WHITEOUT != 0 {
					need(scenario.FeatureRenameWhiteout)
				}
			}
		}
	}
	return out
}

// ignoreXattrs reports whether the backend showed no user.* xattr support
// in the probe: then the comparison leaves xattrs out (the reference's
// would all be "missing", saying nothing about the layers), and scenarios
// with xattr ops are skipped.
func (cfg Config) ignoreXattrs() bool {
	why, probed := cfg.Features[scenario.FeatureUserXattrs]
	return probed && why != ""
}

// renameReachesBackend reports whether the VFS lets a renameat2(2) with
// these flags reach the filesystem at all: RENAME_EXCHANGE with
// RENAME_NOREPLACE or RENAME_WHITEOUT is EINVAL in do_renameat2, before any
// filesystem is asked. Such an op gives EINVAL on every backend and on the
// plain copy: a parity check, never a reason to skip. (RENAME_WHITEOUT by
// a user does reach the filesystem: it needs no CAP_MKNOD since Linux 5.8.)
func renameReachesBackend(o fsop.Rename) bool {
	return o.Flags&unix.RENAME_EXCHANGE == 0 || o.Flags&(unix.RENAME_NOREPLACE|unix.RENAME_WHITEOUT) == 0
}
