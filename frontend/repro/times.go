package repro

import "github.com/layercheck/layercheck/harness/snapshot"

// exactTimes reports whether both sides of a time finding are exact values
// (a copy that rounded, a time from the wrong layer): stat(1) can check
// those. A time the kernel set at the op differs between the script's
// reference and merged view whether the deviation shows or not, so a
// "changed" side, and ctime, are left unchecked.
func exactTimes(f snapshot.Finding) bool {
	return f.Reference != snapshot.ChangedTime && f.Merged != snapshot.ChangedTime
}
