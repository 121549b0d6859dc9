package harness

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/commit"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// The commit check: what a container runtime leaves behind is the upper
// directory, and an image builder commits it as a layer. Wherever an upper
// is final (each layer built through a mount, after its last op; the
// runtime upper, after the last runtime op) the upper is read per the
// backend's on-disk format and written as an OCI layer tar
// (commit.Write), the tar is applied onto the image of the layers below
// (commit.Apply), and the result must be the merged view that the upper
// belonged to. Every difference is a KindCommit finding.
//
// The image of the layers below is built once per scenario and grows with
// it: what the format shows of layer 0 (commit.WriteBase: its markers are
// no content), then every layer above applied as its own layer tar, as an
// image extractor unpacks an image. Each layer is
// written and applied once; a check costs one tar, one apply and one
// snapshot of the image (plus, while building layers, a snapshot of the
// merged view and of the reference, which the runtime phase takes anyway).
//
// A difference where the layer agrees with the reference is the merged
// view's own (it is reported by the comparison with the reference, or was
// a passing state of a build mount): the image is right there, so it is
// not a commit finding. What stays is where the layer says something the
// merged view did not show, and the reference does not say either.

// commitState is the commit check's state within one scenario.
type commitState struct {
	image   string // the image of layers 0..applied-1, as an extractor leaves it
	applied int
	built   map[int]int   // layer -> its steps built so far
	format  commit.Format // the format the image was read in
	// linked is the snapshot of the shared extract the image is a link
	// farm of (commitbase.go), nil if it is not one.
	linked *snapshot.Snapshot
	// partial is the extract the image is a partial link farm of, ""
	// if it is whole (commitpartial.go)
	partial string
	// unreadable: a layer could not be read through the mapping (an
	// inode owned outside it, a finding of its own): no image can be
	// made from here on, so no later commit check of the scenario runs
	unreadable bool
}

// commitFormats returns the on-disk formats in which the built layers and
// the runtime upper are read; ok is false when the check does not run:
// turned off, or a format is not known (an exec: backend, layers extracted
// in another backend's format).
func (c Config) commitFormats() (layers, runtime commit.Format, ok bool) {
	if c.NoCommitCheck {
		return "", "", false
	}
	runtime, ok = onDiskFormat(c.Backend)
	if !ok {
		return "", "", false
	}
	switch {
	case c.Extracting():
		e, isExt := c.Backend.(backend.Extractable)
		if !isExt {
			return "", "", false
		}
		own, err := e.WhiteoutFormat("")
		if err != nil || !sameFormat(own, c.Format) {
			return "", "", false // --build-backend: layers in a format the runtime backend does not write
		}
		return runtime, runtime, true
	case c.BuildWith != nil:
		layers, ok = onDiskFormat(c.BuildWith)
		return layers, runtime, ok
	}
	return runtime, runtime, true
}

// sameFormat asks own (backend.SameFormatter) whether f writes its
// format; a format that cannot say is not known to.
func sameFormat(own, f backend.WhiteoutFormat) bool {
	s, ok := own.(backend.SameFormatter)
	return ok && s.SameFormat(f)
}

// commitFormats is Config.commitFormats for this scenario: a scenario that
// compares times gets no commit check, since reading the layers for the
// tar would move the atimes it compares (under its strictatime policy), a
// difference the harness would have made itself.
func (r *scenarioRun) commitFormats() (layers, runtime commit.Format, ok bool) {
	if r.timesCompared() {
		return "", "", false
	}
	return r.cfg.commitFormats()
}

// onDiskFormat is the format b says it writes, if the reader knows it.
func onDiskFormat(b backend.Backend) (commit.Format, bool) {
	o, ok := b.(backend.OnDiskFormatter)
	if !ok {
		return "", false
	}
	f, err := commit.ParseFormat(o.OnDiskFormat())
	return f, err == nil
}

// commitBuiltLayer ends the build of layer k through a mount: it
// snapshots the merged view (when the commit check runs and k's last step
// is done), unmounts, and checks layer k as a committed layer.
func (r *scenarioRun) commitBuiltLayer(k int) error {
	lf, _, ok := r.commitFormats()
	if !ok || !r.lastStepOf(k) {
		return r.unmount()
	}
	merged, serr := snapshot.TakeSnapshot(r.target, snapshot.SnapshotOptions{Prior: r.buildPrior()}) // baseview.go
	if err := r.unmount(); err != nil {
		return err
	}
	if serr != nil {
		// The build mount is broken (a FUSE daemon that died on an op,
		// which the op's errno finding reports): there is no view to
		// check the layer against. imageUpTo still applies the layer.
		return nil
	}
	return r.commitCheck(fmt.Sprintf("layer %d", k), k, lf, merged, nil)
}

// lastStepOf counts a build of layer k and reports whether it was the
// last: only the final upper is a layer.
func (r *scenarioRun) lastStepOf(k int) bool {
	steps := 0
	for _, st := range r.s.Steps {
		if st.Layer == k && st.Phase == scenario.PhaseLayer {
			steps++
		}
	}
	if r.commit.built == nil {
		r.commit.built = map[int]int{}
	}
	r.commit.built[k]++
	return r.commit.built[k] == steps
}

// commitCheck checks upper k (r.upper for k == depth) read per f.
func (r *scenarioRun) commitCheck(phase string, k int, f commit.Format, merged, ref *snapshot.Snapshot) error {
	if r.commit.unreadable {
		return nil
	}
	if err := r.imageUpTo(k, f); err != nil {
		return r.commitUnreadable(phase, err)
	}
	upper := r.upper
	if k < len(r.layers) {
		upper = r.layers[k]
	}
	carried, err := r.commitOnto(upper, k, f)
	if err != nil {
		return r.commitUnreadable(phase, fmt.Errorf("commit check, %s: %w", phase, err))
	}
	image, err := r.imageSnapshot() // commitpartial.go
	if err != nil {
		return err
	}
	fs := commitFindings(merged, image, nil, r.cfg.ignoreXattrs())
	if len(fs) > 0 && ref == nil {
		// Building a layer: the reference is read only when there is
		// something to weigh against it (a check costs less so).
		if ref, err = r.plainReference(); err != nil { // reference.go
			return err
		}
	}
	if len(fs) > 0 {
		fs = commitFindings(merged, image, ref, r.cfg.ignoreXattrs())
	}
	ev := &backend.Evidence{Ref: ref, Merged: merged}
	explain(fs, commitExpectations(carried), nil, ev) // commitexpect.go
	if k < len(r.layers) {
		explain(fs, nil, knownIssuesOf(r.cfg.layerBackend()), ev) // --build-with: the builder's own
	}
	r.add(phase, fs, merged, ref)
	return nil
}

// imageUpTo brings the image up to layers 0..k-1, reading them per f.
func (r *scenarioRun) imageUpTo(k int, f commit.Format) error {
	c := &r.commit
	if c.image != "" && c.format != f {
		// --build-with: the runtime backend reads the layers below in
		// its own format, which may see them otherwise (layer 0's
		// .wh. files are content to the kernel, markers to
		// fuse-overlayfs): its image is made again in that format.
		if err := os.RemoveAll(c.image); err != nil {
			return err
		}
		c.image = ""
	}
	if c.image == "" {
		c.format = f
		if err := r.imageBase(f); err != nil {
			return fmt.Errorf("commit check, layer 0: %w", err)
		}
	}
	for c.applied < k {
		if _, err := r.commitOnto(r.layers[c.applied], c.applied, f); err != nil {
			return fmt.Errorf("commit check, layer %d: %w", c.applied, err)
		}
	}
	return nil
}

// commitOnto writes upper, the layer above layers 0..k-1, as a layer tar
// (kept in Config.CommitDir if set) and applies it onto the image, which
// then holds layers 0..k. carried lists the names the tar carries, its
// whiteout and opaque markers left out.
func (r *scenarioRun) commitOnto(upper string, k int, f commit.Format) (carried map[string]bool, err error) {
	var buf bytes.Buffer
	if err := commit.Write(&buf, upper, backend.TopFirst(r.layers[:k]), f); err != nil {
		return nil, err
	}
	if err := r.keepTar(k, buf.Bytes()); err != nil {
		return nil, err
	}
	if carried, err = tarNames(buf.Bytes()); err != nil {
		return nil, err
	}
	if r.commit.partial != "" && !r.tarStaysIn(buf.Bytes()) {
		if err := r.completeImage(r.commit.partial); err != nil { // commitpartial.go
			return nil, err
		}
	}
	if err := commit.Apply(&buf, r.commit.image); err != nil {
		return nil, err
	}
	r.commit.applied = k + 1
	return carried, nil
}

// tarNames lists the entries of a layer tar as snapshot paths, markers
// (.wh.*) left out.
func tarNames(data []byte) (map[string]bool, error) {
	out := map[string]bool{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if p := path.Clean(hdr.Name); !strings.HasPrefix(path.Base(p), ".wh.") {
			out[p] = true
		}
	}
}

// keepTar saves the tar of layer k (k == depth: the runtime upper) as
// CommitDir/SCENARIO/layer-K.tar or .../upper.tar.
func (r *scenarioRun) keepTar(k int, data []byte) error {
	if r.cfg.CommitDir == "" {
		return nil
	}
	dir := filepath.Join(r.cfg.CommitDir, filepath.FromSlash(strings.ReplaceAll(r.s.FullName(), "..", "_")))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := fmt.Sprintf("layer-%d.tar", k)
	if k == len(r.layers) {
		name = "upper.tar"
	}
	return os.WriteFile(filepath.Join(dir, name), data, 0o644)
}

// commitOptions leave out what a layer does not carry: access is computed
// from what it does carry (mode, owner, ACLs), a link count is what the
// merged view computes (the link groups are compared).
var commitOptions = []cmp.Option{cmpopts.IgnoreFields(snapshot.Entry{}, "Access", "Nlink")}

// commitFindings compares the image with the merged view; differences
// where the image agrees with ref (nil: none known) are left out.
func commitFindings(merged, image, ref *snapshot.Snapshot, noXattrs bool) []snapshot.Finding {
	opts := commitOptions
	if noXattrs {
		opts = append(opts[:len(opts):len(opts)], cmpopts.IgnoreFields(snapshot.Entry{}, "Xattrs"))
	}
	// commitstrip.go: the ignored fields cleared first, for speed only
	merged, image, ref = withoutIgnored(merged, noXattrs), withoutIgnored(image, noXattrs), withoutIgnored(ref, noXattrs)
	fs := snapshot.Compare(merged, image, opts...)
	imageWrong := map[[2]string]bool{}
	if ref != nil {
		for _, f := range snapshot.Compare(ref, image, opts...) {
			imageWrong[[2]string{f.Path, f.Field}] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		if ref != nil && !imageWrong[[2]string{f.Path, f.Field}] {
			continue // the merged view's own difference: the layer is right
		}
		f.Kind, f.Widened = snapshot.KindCommit, false
		out = append(out, f)
	}
	return out
}

// knownIssuesOf lists b's known issues, if it records any.
func knownIssuesOf(b backend.Backend) []backend.KnownIssue {
	if k, ok := b.(backend.KnownIssuer); ok {
		return k.KnownIssues()
	}
	return nil
}

// commitUnreadable is what a failed commit check of phase comes to: a
// finding where a layer holds a file whose on-disk owner is outside the
// mapping, so that reading it as the container (as a committer does
// through the idmapped layer) is refused (idmapped.go,
// unmappedCopyFinding); the scenario's later commit checks are then left
// out, as no image can be made. Any other error stays the error it is.
func (r *scenarioRun) commitUnreadable(phase string, err error) error {
	f, ok := r.unmappedCopyFinding(err)
	if !ok {
		return err
	}
	f.Reference = "read through the mapping by a committer"
	r.commit.unreadable = true
	r.add(phase, []snapshot.Finding{f}, nil, nil)
	return nil
}
