package control

import (
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
// format. Three kinds of scenario ask for that, and are skipped:
//
//   - one that compares times: every mount copies the layers, and a copy
//     has a new ctime;
//   - a whiteout made as an entry (renameat2 RENAME_WHITEOUT leaves a 0/0
//     character device): the format has no way to store one in a layer
//     other than as a whiteout, which hides it;
//   - an offline change to a lower layer: a plain directory has no lower
//     layer to change, and the runtime upper masks the lower's change
//     wherever it holds a copy (of the path, of a directory above it, of
//     another name of its inode), as the format does. Which copies the
//     upper holds depends on the fixture's hardlinks, so no scenario with
//     such a step runs, rather than some that would show the format.
func (*Control) SkipReason(s scenario.Scenario) string {
	if s.Times != "" {
		return "control: times are compared: the control backend shows the stack by copying its layers, and a copy has a ctime of its own (no call sets a ctime)"
	}
	for _, st := range s.Steps {
		if st.Phase == scenario.PhaseOffline && st.Layer != scenario.Upper {
			return "control: an offline change to a lower layer: a plain directory has no lower layer, and the upper, stored in overlay's format, masks the lower's change where it holds a copy (" + citeUpperDir + ")"
		}
		for _, op := range st.Ops {
			// With RENAME_EXCHANGE the flag is EINVAL and makes nothing.
			if r, ok := op.(fsop.Rename); ok && r.Flags&unix.RENAME_WHITEOUT != 0 && r.Flags&unix.RENAME_EXCHANGE == 0 {
				return "control: RENAME_WHITEOUT leaves a 0/0 character device, which the overlay format the control backend stores its layers in can hold only as a whiteout"
			}
		}
	}
	return ""
}
