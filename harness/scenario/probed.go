package scenario

import (
	"sync"

	"github.com/layercheck/layercheck/harness/snapshot"
)

// probedSnapshot is a base's snapshot with the access matrix, taken once.
type probedSnapshot struct {
	once sync.Once
	snap *snapshot.Snapshot
	err  error
}

// Probed is the base's snapshot with every identity's access probed, taken
// on first use and shared by every scenario of the run: the part of a
// reference that no op touched is this (see harness/reference.go).
func (b *Base) Probed() (*snapshot.Snapshot, error) {
	b.probed.once.Do(func() {
		b.probed.snap, b.probed.err = snapshot.TakeSnapshot(b.Dir, snapshot.SnapshotOptions{Identities: b.Identities})
	})
	return b.probed.snap, b.probed.err
}
