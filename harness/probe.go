package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"golang.org/x/sys/unix"
)

// Features probed by ProbeBackend beyond those scenarios need.
const (
	// featureRedirect: rename(2) of a directory that comes from a lower
	// layer succeeds (overlay's redirect_dir), instead of EXDEV.
	featureRedirect = "redirect"
	// featureIndex: a hardlinked lower file keeps its other names in step
	// after copy-up (overlay's index=on).
	featureIndex = "index"
)

// ProbeBackend mounts a small two-layer stack through b beneath dir and
// tries every feature on it: user.* xattrs, renameat2 flags, directory
// rename of a lower directory (redirect), hardlinks across copy-up
// (index). Each is "" where it works, else what happened. The stack is
// unmounted before it returns.
func ProbeBackend(ctx context.Context, b backend.Backend, dir string) (map[string]string, error) {
	spec := backend.MountSpec{Lowers: []string{filepath.Join(dir, "l1"), filepath.Join(dir, "l0")},
		Upper: filepath.Join(dir, "u"), Work: filepath.Join(dir, "w"), Target: filepath.Join(dir, "m")}
	for _, d := range []string{spec.Lowers[0], spec.Lowers[1], spec.Upper, spec.Work, spec.Target, filepath.Join(spec.Lowers[1], "d")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	l0 := spec.Lowers[1]
	if err := os.WriteFile(filepath.Join(l0, "d", "f"), []byte("f"), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(l0, "a"), []byte("a"), 0o644); err != nil {
		return nil, err
	}
	if err := os.Link(filepath.Join(l0, "a"), filepath.Join(l0, "b")); err != nil {
		return nil, err
	}
	m, err := b.Mount(ctx, spec)
	if err != nil {
		return nil, err
	}
	feats := probeFeatures(spec.Target)
	// index: write through one name of the lower hardlink, read the other.
	feats[featureIndex] = ""
	if f, err := os.OpenFile(filepath.Join(spec.Target, "a"), os.O_WRONLY|os.O_APPEND, 0); err != nil {
		feats[featureIndex] = "append to a lower hardlink: " + string(fsop.OutcomeOf(err))
	} else {
		f.WriteString("+")
		f.Close()
		got, _ := os.ReadFile(filepath.Join(spec.Target, "b"))
		if !bytes.Equal(got, []byte("a+")) {
			feats[featureIndex] = fmt.Sprintf("copy-up splits hardlinks (the other name reads %q)", got)
		}
	}
	// redirect: rename a lower directory.
	feats[featureRedirect] = ""
	if err := unix.Rename(filepath.Join(spec.Target, "d"), filepath.Join(spec.Target, "d2")); err != nil {
		feats[featureRedirect] = "rename of a lower directory gives " + string(fsop.OutcomeOf(err))
	}
	if err := m.Unmount(); err != nil {
		return feats, err
	}
	return feats, nil
}

// FeatureNames lists the keys of a feature map in a fixed order.
func FeatureNames(f map[string]string) []string {
	var out []string
	for k := range f {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
