package harness

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Features a backend may lack that a scenario needs without listing them in
// Requires: they follow from its ops (see opRequires). The session probes
// each on a live mount, so a skip always rests on what this backend did
// here, never on a list of what it is said to support.
const (
	// FeatureUserXattrs is setxattr(2)/getxattr(2) of user.* attributes
	// on the merged view; without it the snapshot comparison leaves
	// xattrs out too (see Config.ignoreXattrs).
	FeatureUserXattrs = "user-xattrs"
	// FeatureRenameNoreplace is renameat2(2) with RENAME_NOREPLACE.
	FeatureRenameNoreplace = "rename-noreplace"
	// FeatureRenameExchange is renameat2(2) with RENAME_EXCHANGE.
	FeatureRenameExchange = "rename-exchange"
)

// probeOpFeatures tries the features of opRequires on the merged view at dir.
func probeOpFeatures(dir string) map[string]string {
	return map[string]string{
		FeatureUserXattrs:      probeUserXattrs(dir),
		FeatureRenameNoreplace: probeRename(dir, "noreplace", unix.RENAME_NOREPLACE, false),
		FeatureRenameExchange:  probeRename(dir, "exchange", unix.RENAME_EXCHANGE, true),
	}
}

func probeUserXattrs(dir string) string {
	p := filepath.Join(dir, ".layercheck-probe-xattr")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		return "the probe could not create its file: " + err.Error()
	}
	defer os.Remove(p)
	if err := unix.Lsetxattr(p, "user.layercheck.probe", []byte("v"), 0); err != nil {
		return fmt.Sprintf("the backend refuses setxattr(user.*) on its merged view (%s)", outcomeOf(err))
	}
	buf := make([]byte, 16)
	n, err := unix.Lgetxattr(p, "user.layercheck.probe", buf)
	if err != nil || !bytes.Equal(buf[:n], []byte("v")) {
		return fmt.Sprintf("getxattr(user.*) on the merged view does not return what was set (%s)", outcomeOf(err))
	}
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
		return fmt.Sprintf("the backend refuses renameat2(RENAME_%s) on its merged view (%s)", upperName(name), outcomeOf(err))
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
func opRequires(s Scenario) []string {
	var out []string
	seen := map[string]bool{}
	need := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, st := range s.Steps {
		if st.Phase == PhaseOffline || (st.Phase == PhaseLayer && st.Layer == 0 && st.Var == "") {
			continue
		}
		for _, op := range st.Ops {
			switch o := op.(type) {
			case SetXattr:
				need(FeatureUserXattrs)
				if f := xattrFeature(o.Name); f != "" { // features_perm.go
					need(f)
				}
			case RemoveXattr:
				need(FeatureUserXattrs)
				if f := xattrFeature(o.Name); f != "" {
					need(f)
				}
			case Rename:
				if !renameReachesBackend(o) {
					continue
				}
				if o.Flags&unix.RENAME_NOREPLACE != 0 {
					need(FeatureRenameNoreplace)
				}
				if o.Flags&unix.RENAME_EXCHANGE != 0 {
					need(FeatureRenameExchange)
				}
				if o.Flags&unix.RENAME_WHITEOUT != 0 {
					need(FeatureRenameWhiteout)
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
	why, probed := cfg.Features[FeatureUserXattrs]
	return probed && why != ""
}

// renameReachesBackend reports whether the VFS lets a renameat2(2) with
// these flags reach the filesystem at all: RENAME_EXCHANGE with
// RENAME_NOREPLACE or RENAME_WHITEOUT is EINVAL in do_renameat2, before any
// filesystem is asked. Such an op gives EINVAL on every backend and on the
// plain copy: a parity check, never a reason to skip. (RENAME_WHITEOUT by
// a user does reach the filesystem: it needs no CAP_MKNOD since Linux 5.8.)
func renameReachesBackend(o Rename) bool {
	return o.Flags&unix.RENAME_EXCHANGE == 0 || o.Flags&(unix.RENAME_NOREPLACE|unix.RENAME_WHITEOUT) == 0
}
