package harness

import (
	"errors"
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/layerdiff"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Build modes: how layers 1..depth-1 of a scenario are made.
//
// BuildMount (the default) builds layer k through a mount of layers
// 0..k-1 with layer k as the upper, applying the layer's ops through the
// merged view, as an image builder commits a layer.
//
// BuildExtract writes layer k without any mount, the way an image
// extractor unpacks a tar layer: the layer's ops are applied to the
// reference only, and layer k is the difference between the reference
// before and after them, written in a backend's on-disk format (a
// WhiteoutFormat). The read path is then tested apart from the write path:
// what the backend shows for layers it did not write itself. Ops of built
// layers reach no backend, so they yield no errno findings; runtime ops
// still go through the runtime mount.
const (
	BuildMount   BuildMode = "mount"
	BuildExtract BuildMode = "extract"
)

// BuildMode names how a run builds its layers: BuildMount, BuildExtract,
// or BuildExtract with a format variant ("extract-xattr").
type BuildMode string

// buildNames lists the build modes of a backend: mount, and
// extract with each variant the backend documents.
func buildNames(b backend.Backend) []string {
	out := []string{string(BuildMount)}
	if e, ok := b.(backend.Extractable); ok {
		if _, err := e.WhiteoutFormat(""); err == nil {
			out = append(out, string(BuildExtract))
		}
		for _, v := range []string{"xattr"} {
			if _, err := e.WhiteoutFormat(v); err == nil {
				out = append(out, string(BuildExtract)+"-"+v)
			}
		}
	}
	return out
}

// SetBuild sets how the run builds its layers: "mount" (or ""), "extract"
// (the backend's own format), or "extract-VARIANT" (a variant of it:
// "extract-xattr" writes overlayfs's xattr whiteouts). An unknown mode or a
// backend that cannot take extracted layers is a *UsageError.
func (c *Config) SetBuild(name string) error { return c.SetBuildFrom(name, c.Backend) }

// SetBuildFrom is SetBuild with extracted layers written in the on-disk
// format of another backend (--build-backend): layers one engine wrote,
// mounted by another, as images are shared between engines.
func (c *Config) SetBuildFrom(name string, from backend.Backend) error {
	mode, f, err := parseBuild(name, from)
	if err != nil {
		c.Build, c.Format = BuildMount, nil
		return err
	}
	c.Build, c.Format = mode, f
	return nil
}

// parseBuild reads a build mode (see SetBuild) for layers in from's
// on-disk format: the mode and the format the extract builder writes
// (nil for mount).
func parseBuild(name string, from backend.Backend) (BuildMode, backend.WhiteoutFormat, error) {
	if name == "" || name == string(BuildMount) {
		return BuildMount, nil, nil
	}
	variant, ok := strings.CutPrefix(name, string(BuildExtract))
	if ok && variant != "" {
		variant, ok = strings.CutPrefix(variant, "-")
	}
	if !ok {
		return "", nil, &UsageError{Setting: "build", Msg: fmt.Sprintf("%q is not a build mode (known: %s)", name, strings.Join(buildNames(from), ", "))}
	}
	e, isExt := from.(backend.Extractable)
	if !isExt {
		return "", nil, &UsageError{Setting: "build", Msg: fmt.Sprintf("%s: layers of %s cannot be written without a mount here", name, from.Name())}
	}
	f, err := e.WhiteoutFormat(variant)
	var envErr *EnvError
	if errors.As(err, &envErr) {
		return "", nil, err // the kernel lacks what the format needs (exit 3)
	}
	if err != nil {
		return "", nil, &UsageError{Setting: "build", Msg: fmt.Sprintf("%s: %v (known: %s)", name, err, strings.Join(buildNames(from), ", "))}
	}
	return BuildMode(name), f, nil
}

// Extracting reports whether layers are written by the extract builder.
func (c Config) Extracting() bool { return c.Format != nil }

// extractState is the extract builder's state within the build phase of
// one scenario (buildLayers holds it): the reference as the layers written
// so far leave it, and the layer whose ops were applied to the reference
// but not yet written.
type extractState struct {
	prev    *layerdiff.State
	pending int // 0: none
}

// step applies the ops of a layer step (layer >= 1) to the reference
// only; the layer is written when the next layer starts or the layers are
// done (flush).
func (x *extractState) step(r *scenarioRun, st scenario.Step) error {
	if x.pending != 0 && x.pending != st.Layer {
		if err := x.flush(r); err != nil {
			return err
		}
	}
	if x.prev == nil {
		var err error
		if x.prev, err = layerdiff.Read(r.ref.Dir); err != nil {
			return err
		}
	}
	x.pending = st.Layer
	phase := fmt.Sprintf("layer %d", st.Layer)
	for _, op := range st.Ops {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		rec := OpRecord{Stage: phase, Op: op.Shell(), Merged: "n/a (extract)", Reference: fsop.Apply(r.ref, op)}
		if !op.Identity().IsRoot() {
			rec.As = op.Identity().String()
		}
		r.ops = append(r.ops, rec)
	}
	return r.ref.CloseFiles() // descriptor ops end with the layer, as in buildLayer
}

// flush writes the pending layer, if any.
func (x *extractState) flush(r *scenarioRun) error {
	if x.pending == 0 {
		return nil
	}
	cur, err := layerdiff.Read(r.ref.Dir)
	if err != nil {
		return err
	}
	if err := layerdiff.Between(x.prev, cur).WriteTo(r.ref.Dir, r.layers[x.pending], r.cfg.Format); err != nil {
		return fmt.Errorf("extract layer %d: %w", x.pending, err)
	}
	x.prev, x.pending = cur, 0
	return nil
}
