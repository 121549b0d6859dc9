package harness

import (
	"errors"
	"fmt"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/internal/mounts"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
	"golang.org/x/sys/unix"
)

// Timestamps. The reference and the merged view are written at different
// moments, so only what is deterministic compares (snapshot.CompareTimes):
// times set explicitly by ops, exactly (the base's, and each built layer's
// fsop.LayerStamps, set on what the layer's ops touched once its content
// is in place; those of Utimens ops); times the kernel set while the
// scenario ran, only as "changed since the last known value"; ctime only
// as changed or not since the runtime mount.
//
// atime follows an explicit policy: the scenario's directory is mounted
// again on itself with it (the reference, every layer, the upper, so that
// a FUSE daemon reading a layer reads under it too), and so is every mount
// of the stack; noatime unless the scenario tests atime.

// timeState is a scenario's timestamp state.
type timeState struct {
	bound bool // the scenario directory is bind-mounted with the policy
	// rawBound: its raw path too (--idmap, idmapped.go)
	rawBound bool
}

// timesCompared reports whether the scenario compares timestamps.
func (r *scenarioRun) timesCompared() bool { return r.s.Times != "" }

// timesSkip says why a scenario that compares times cannot run on cfg.
func (cfg Config) timesSkip(s scenario.Scenario) string {
	if s.Times != "" && cfg.Extracting() {
		return "the extract builder writes no timestamps: times compare only with layers built through mounts"
	}
	if why := layout.ImageTimes(cfg.Layout); s.Times != "" && why != "" {
		return "layout " + string(cfg.Layout) + ": " + why
	}
	return ""
}

// setAtimePolicy gives the mount at target the scenario's atime policy.
// A scenario that does not compare times does not depend on it. A backend
// that shows the stack without a mount of its own (the control backend)
// leaves target a plain directory, under the policy of the scenario
// directory's bind mount (bindScenarioDir).
//
// mount_setattr(2) refuses a path that is not the root of a mount
// (EINVAL) and changes nothing then, so it is asked first and the mount
// table, which costs a read of every mount of the namespace, only when
// it refuses.
func (r *scenarioRun) setAtimePolicy(target string) error {
	attr := uint64(unix.MOUNT_ATTR_NOATIME)
	if r.s.Times == scenario.TimesStrictatime {
		attr = unix.MOUNT_ATTR_STRICTATIME
	}
	err := unix.MountSetattr(unix.AT_FDCWD, target, 0, &unix.MountAttr{Attr_set: attr, Attr_clr: unix.MOUNT_ATTR__ATIME})
	if err == nil {
		return nil
	}
	if _, mounted := mounts.Find(target); !mounted {
		return nil
	}
	if r.timesCompared() {
		return fmt.Errorf("atime policy %s on %s: %w", r.s.Times, target, err)
	}
	return nil
}

// bindScenarioDir mounts the scenario's directory on itself with its
// atime policy, for a scenario that compares times.
func (r *scenarioRun) bindScenarioDir() error {
	if !r.timesCompared() {
		return nil
	}
	if err := unix.Mount(r.dir, r.dir, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s for its atime policy: %w", r.dir, err)
	}
	r.times.bound = true
	if err := r.setAtimePolicy(r.dir); err != nil {
		return err
	}
	return r.idmapBindRaw() // idmapped.go
}

// unbindScenarioDir takes bindScenarioDir's mount down (after the stack's).
func (r *scenarioRun) unbindScenarioDir() error {
	if !r.times.bound {
		return nil
	}
	r.times.bound = false
	return errors.Join(mounts.Detach(r.dir), r.idmapUnbindRaw())
}

// markTimes takes the ctime boundary just before the runtime mount: the
// policy the compare phase judges times by.
func (r *scenarioRun) markTimes() (policy snapshot.TimePolicy, err error) {
	if r.timesCompared() {
		// Seal the layers first (layouts.go; cached): sealing writes
		// (the data-only layouts' metadata trees get new ctimes), and
		// that is the layout's doing, not a change the mount made.
		if _, err := r.lowers(r.layers); err != nil {
			return policy, err
		}
		policy, err = snapshot.CtimeBoundary(r.dir)
		policy.NoSymlinkAtime = r.s.Times == scenario.TimesStrictatime
	}
	return policy, err
}

// stampLayer gives what the layer's ops touched (fsop.TouchedPaths, as far
// as the reference has them, less what a Utimens op of the layer set
// itself) the layer's known times, through the tree the
// ops went through and on the reference, in lockstep: the ops that set
// them are the scenario's like any other.
func (r *scenarioRun) stampLayer(at opSite, st scenario.Step) {
	if !r.timesCompared() {
		return
	}
	own := map[string]bool{} // times a Utimens op of the layer set are its own
	for _, op := range st.Ops {
		if u, ok := op.(fsop.Utimens); ok {
			own[fsop.CleanRel(u.Path)] = true
		}
	}
	var paths []string
	for _, p := range fsop.TouchedPaths(st.Ops) {
		if !own[p] && fsop.TypeIn(r.ref, p) != "" {
			paths = append(paths, p)
		}
	}
	for _, op := range fsop.StampOps(st.Layer, paths) {
		r.lockstep(at, op)
	}
}

// compareTimes adds the time findings: the merged view against the
// reference after the runtime ops, and after the remount against the
// reference changed offline or, with no offline change, against itself,
// by the policy the runtime phase took (markTimes).
func (r *scenarioRun) compareTimes(policy snapshot.TimePolicy, ref1, merged1, ref2, merged2 *snapshot.Snapshot, offline bool) {
	if !r.timesCompared() {
		return
	}
	r.add("runtime", snapshot.CompareTimes(ref1, merged1, policy), merged1, ref1)
	if offline {
		r.add("remount", snapshot.CompareTimes(ref2, merged2, policy), merged2, ref2)
		return
	}
	fs := snapshot.CompareTimes(merged1, merged2, policy)
	for i := range fs {
		fs[i].Kind, fs[i].Field = snapshot.KindPersistence, string(snapshot.KindTime)+" "+fs[i].Field
	}
	r.add("remount", fs, merged2, ref1)
}
