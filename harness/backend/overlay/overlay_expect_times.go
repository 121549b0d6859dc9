package overlay

import (
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// ExpectLowerReadAtime: overlayfs does not move the atime of a lower file it
// reads, a directory it lists included (POSIX counts a directory as a file
// and readdir as a read that marks st_atime).
const ExpectLowerReadAtime = deviation.LowerReadAtime

// ExpectCopyUpDirCtime: a directory copied up because something beneath it
// changed shows the new upper directory's st_ctime. overlayfs.rst reports a
// merged directory's metadata "for the upper directory only", and a ctime
// cannot be set, so no copy-up can keep it; mtime and atime are kept and
// stay compared.
const ExpectCopyUpDirCtime = deviation.CopyUpDirCtime

const citeLowerReadAtime = `overlayfs.rst, "Non-standard behavior": "a) POSIX mandates updating st_atime for reads. This is currently not done in the case when the file resides on a lower layer." (no option removes it)`

func timeExpectations() []backend.Expectation {
	return []backend.Expectation{
		{ID: ExpectLowerReadAtime, Citation: citeLowerReadAtime, Match: matchLowerReadAtime},
		{ID: ExpectCopyUpDirCtime, Citation: citeMergedDir + "; ctime cannot be set, so the upper copy of a directory has its own", Match: matchCopyUpDirCtime},
	}
}

// matchCopyUpDirCtime: only the ctime of a directory that the runtime upper
// holds, unchanged on the reference and changed in the merged view.
func matchCopyUpDirCtime(f snapshot.Finding, ev *backend.Evidence) bool {
	return f.Kind == snapshot.KindTime && f.Field == "ctime" && f.Reference == "unchanged" && f.Merged == "changed" &&
		ev.UpperHasDir(f.Path)
}

// matchLowerReadAtime: only atime, only of a regular file or a directory,
// only one that resides on a lower layer (the runtime upper has nothing at
// its path), and only the case the text describes: the reference moved the
// atime and the merged view kept a known value. A copied-up file whose
// atime does not move, a moved mtime or ctime, stay failures.
func matchLowerReadAtime(f snapshot.Finding, ev *backend.Evidence) bool {
	if f.Kind != snapshot.KindTime || f.Field != "atime" || f.Reference != snapshot.ChangedTime || f.Merged == snapshot.ChangedTime {
		return false
	}
	if ev.Merged == nil || ev.Upper == "" {
		return false
	}
	if typ := ev.Merged.Entries[f.Path].Type; typ != "file" && typ != "dir" {
		return false
	}
	t, err := fsop.OpenTree(ev.Upper)
	if err != nil {
		return false
	}
	defer t.Close()
	return fsop.TypeIn(t, f.Path) == ""
}
