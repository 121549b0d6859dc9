package overlay

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// ExpectLowerReadAtime: overlayfs does not move the atime of a lower file it
// reads.
const ExpectLowerReadAtime = "overlay/lower-read-keeps-atime"

const citeLowerReadAtime = `overlayfs.rst, "Non-standard behavior": "a) POSIX mandates updating st_atime for reads. This is currently not done in the case when the file resides on a lower layer." (no option removes it)`

func lowerReadAtime() backend.Expectation {
	return backend.Expectation{ID: ExpectLowerReadAtime, Citation: citeLowerReadAtime, Match: matchLowerReadAtime}
}

// matchLowerReadAtime: only atime, only of a regular file, only one that
// resides on a lower layer (the runtime upper has nothing at its path),
// and only the case the text describes: the reference moved the atime and
// the merged view kept a known value. A copied-up file whose atime does not
// move, a moved mtime or ctime, a directory, stay failures.
func matchLowerReadAtime(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindTime || f.Field != "atime" || f.Reference != snapshot.ChangedTime || f.Merged == snapshot.ChangedTime {
		return false
	}
	if ev.Merged == nil || ev.Merged.Entries[f.Path].Type != "file" || ev.Upper == "" {
		return false
	}
	t, err := fsop.OpenTree(ev.Upper)
	if err != nil {
		return false
	}
	defer t.Close()
	return fsop.TypeIn(t, f.Path) == ""
}
