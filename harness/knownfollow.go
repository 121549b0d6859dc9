package harness

import (
	"path"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// markFollowers tags the untagged, unexpected findings of a scenario that
// a known issue's finding leaves behind (backend.KnownIssue.Follows): on
// the path of a finding tagged with the issue, or beneath it. The verdict
// does not change (a known issue still fails); the reader sees one cause
// instead of several unexplained differences.
func markFollowers(fs []snapshot.Finding, known []backend.KnownIssue) {
	causes := map[string]backend.KnownIssue{} // path -> the issue found there
	for _, f := range fs {
		if f.KnownIssue == "" {
			continue
		}
		for _, k := range known {
			if k.ID == f.KnownIssue && k.Follows != nil {
				causes[f.Path] = k
			}
		}
	}
	if len(causes) == 0 {
		return
	}
	for i := range fs {
		if fs[i].Expected() || fs[i].KnownIssue != "" || fs[i].Standing {
			continue
		}
		for p := fs[i].Path; ; p = path.Dir(p) {
			if k, ok := causes[p]; ok && k.Follows(fs[i]) {
				fs[i].KnownIssue = k.ID
				break
			}
			if p == "." || p == "/" || p == "" {
				break
			}
		}
	}
}
