package harness

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// The rebuilt phase mounts copies of every layer (phase_rebuilt.go). Where
// layer 0 is the run's base directory itself and the scenario may take
// entries from the base view (sharesBaseView), the copy of layer 0 is the
// same for every scenario: a copy of the base, which no scenario writes
// (it is only ever a lower). It is made once per run and base, and the
// rebuilt views take what no op can have reached from a base view of the
// copy (baseview.go, keyed by the copy's directory), as the runtime and
// remount views take it from the base's. A copy of the whole base for
// every scenario, read, hashed and probed in full, was a third of a run's
// CPU time with a distribution tree as --base.
//
// The copy is what a private one would be: new inodes, the same types,
// modes, owners, data, xattrs and hardlink groups (fsop.CopyTree). Nothing
// of the rebuilt phase writes to a lower; should a backend do it anyway,
// the copy's stamps (taken when it was made, checked after each rebuilt
// mount) differ, and the copy is dropped: later scenarios make a new one.
// --full-compare turns the sharing off with the rest of the fast path.

// rebuiltBases are the shared copies, by run scratch and base directory.
var rebuiltBases = struct {
	sync.Mutex
	m map[string]*rebuiltCopy
	n int
}{m: map[string]*rebuiltCopy{}}

type rebuiltCopy struct {
	once   sync.Once
	dir    string
	stamps snapshot.Stamps
	err    error
}

// sharedRebuiltBase returns the run's copy of the base for the rebuilt
// phase's layer 0, or "" where the scenario copies its own (layer 0 not
// the base, or no base view shared).
func (r *scenarioRun) sharedRebuiltBase() (*rebuiltCopy, error) {
	if !r.sharesBaseView() || r.layers[0] != r.base.Dir {
		return nil, nil
	}
	key := r.cfg.Scratch + "\x00" + r.base.Dir
	rebuiltBases.Lock()
	c := rebuiltBases.m[key]
	if c == nil {
		rebuiltBases.n++
		c = &rebuiltCopy{dir: filepath.Join(filepath.Dir(r.cfg.Scratch), fmt.Sprintf("rebuilt-base-%d", rebuiltBases.n))}
		rebuiltBases.m[key] = c
	}
	rebuiltBases.Unlock()
	c.once.Do(func() {
		if c.err = fsop.CopyTree(r.base.Dir, c.dir); c.err == nil {
			c.stamps, c.err = snapshot.TakeStamps(c.dir)
		}
	})
	if c.err != nil {
		return nil, fmt.Errorf("copy the base for the rebuilt phase: %w", c.err)
	}
	return c, nil
}

// checkRebuiltBase drops the shared copy if a mount changed it (it is left
// on disk for the session's removal: another scenario may have it
// mounted), so that no later scenario mounts a changed copy.
func (r *scenarioRun) checkRebuiltBase(c *rebuiltCopy) {
	if c == nil || c.stamps.Same(c.dir) {
		return
	}
	rebuiltBases.Lock()
	defer rebuiltBases.Unlock()
	for k, v := range rebuiltBases.m {
		if v == c {
			delete(rebuiltBases.m, k)
		}
	}
}

// forgetRebuiltBases drops the copies beneath dir, a session's scratch that
// is going away with them.
func forgetRebuiltBases(dir string) {
	rebuiltBases.Lock()
	defer rebuiltBases.Unlock()
	for k, c := range rebuiltBases.m {
		if strings.HasPrefix(c.dir, dir+"/") {
			delete(rebuiltBases.m, k)
		}
	}
}
