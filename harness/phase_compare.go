package harness

import (
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// compareInput is the compare phase's input: what the runtime phase gave
// (its views and time policy), the views of the remount, and whether an
// offline step ran between them.
type compareInput struct {
	runtime runtimeOutput
	remount views
	offline bool
}

// compareViews is the compare phase: it turns the snapshots into findings
// (added to the run's): the merged view against the reference after the
// runtime ops, its own invariants, and after the remount either against
// the reference changed offline or, with no offline change, against
// itself before (persistence); then times and inode identity.
func compareViews(r *scenarioRun, in compareInput) {
	ref1, merged1 := in.runtime.ref, in.runtime.merged
	ref2, merged2 := in.remount.ref, in.remount.merged
	var cmpOpts []cmp.Option
	if r.cfg.ignoreXattrs() { // features_ops.go: the backend has no xattrs
		cmpOpts = append(cmpOpts, cmpopts.IgnoreFields(snapshot.Entry{}, "Xattrs"))
	}
	r.add("runtime", snapshot.Compare(ref1, merged1, cmpOpts...), merged1, ref1)
	r.add("runtime", merged1.Invariants, merged1, ref1)
	if in.offline {
		r.add("remount", snapshot.Compare(ref2, merged2, cmpOpts...), merged2, ref2)
	} else {
		r.add("remount", snapshot.CompareAs(snapshot.KindPersistence, "remount", merged1, merged2), merged2, ref1)
	}
	r.add("remount", merged2.Invariants, merged2, ref1)
	r.compareTimes(in.runtime.times, ref1, merged1, ref2, merged2, in.offline) // times.go
	r.checkInodes(ref1, merged1, ref2, merged2)                                // inodes.go
}
