package scenario

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// Base is a prepared base tree, the content of layer 0: a fixture or a
// user's directory. It is shared read-only by every scenario of a run.
type Base struct {
	Name       string
	Dir        string
	Identities []fsop.Identity // whose access every snapshot probes
	// Shell rebuilds the tree in the current directory (for reproducers);
	// empty for a user's directory, which reproducers copy with cp -a.
	Shell []string
	// Clashes and FixturePaths are set for a user's tree with a fixture
	// laid over it (subject.go): where the tree differs from the fixture,
	// and every path of the fixture.
	Clashes      map[string]string
	FixturePaths map[string]bool
	// Omitted are the fixture's paths that the layout could not hold and
	// the base left out (fixtures.BasesFor), each with the reason: the
	// scenarios naming one skip, the run's target line lists them.
	Omitted map[string]string
	snap    *snapshot.Snapshot
	probed  probedSnapshot // probed.go
}

// Sealed is the base as Seal recorded it (nil before Seal).
func (b *Base) Sealed() *snapshot.Snapshot { return b.snap }

// Seal records the base's state; every scenario checks that no mount
// modified it (a lower-modified finding).
func (b *Base) Seal() error {
	s, err := snapshot.TakeSnapshot(b.Dir, snapshot.SnapshotOptions{})
	b.snap = s
	return err
}
