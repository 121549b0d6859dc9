package control

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"golang.org/x/sys/unix"
)

// citeUpperDir is why a lower change beneath what the upper holds stays
// hidden: the control backend stores its changes in overlayfs's format,
// and that format shows the upper's directory.
const citeUpperDir = `overlayfs.rst, "Directories": "Only the lists of names from directories are merged. Other content such as metadata and extended attributes are reported for the upper directory only. These attributes of the lower directory are hidden."`

// SkipReason implements backend.ScenarioSkipper. The control backend is a
// plain directory while it is mounted; what it cannot be is a plain
// directory across its layers, since it stores them in overlayfs's
// format. Two kinds of scenario ask for that, and are skipped:
//
//   - a whiteout made as an entry (renameat2 RENAME_WHITEOUT leaves a 0/0
//     character device): the format has no way to store one in a layer
//     other than as a whiteout, which hides it;
//   - an offline change to a lower layer at a path that a runtime op also
//     reaches (the path, one beneath it or above it): the runtime upper
//     then holds that path, which masks the lower's change. A plain
//     directory has no lower to change; an offline change elsewhere in a
//     lower runs.
func (*Control) SkipReason(s scenario.Scenario) string {
	var runtime []string
	for _, st := range s.Steps {
		for _, op := range st.Ops {
			if r, ok := op.(fsop.Rename); ok && r.Flags&unix.RENAME_WHITEOUT != 0 {
				return "control: RENAME_WHITEOUT leaves a 0/0 character device, which the overlay format the control backend stores its layers in can hold only as a whiteout"
			}
			if st.Phase == scenario.PhaseRuntime {
				runtime = append(runtime, op.Paths()...)
			}
		}
	}
	for _, st := range s.Steps {
		if st.Phase != scenario.PhaseOffline || st.Layer == scenario.Upper {
			continue
		}
		for _, op := range st.Ops {
			for _, p := range op.Paths() {
				if q, ok := related(p, runtime); ok {
					return fmt.Sprintf("control: the offline change to %s in a lower layer is masked by the runtime upper, which holds %s: the control backend stores its upper in overlay's format (%s); a plain directory has no lower layer to change", p, q, citeUpperDir)
				}
			}
		}
	}
	return ""
}

// related returns the first of paths that is p, beneath p or above it.
func related(p string, paths []string) (string, bool) {
	p = fsop.CleanRel(p)
	for _, q := range paths {
		q = fsop.CleanRel(q)
		if q == p || strings.HasPrefix(q, p+"/") || strings.HasPrefix(p, q+"/") || q == "." {
			return q, true
		}
	}
	return "", false
}
