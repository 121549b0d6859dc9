package driver

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/backend/control"
	"github.com/layercheck/layercheck/harness/backend/overlay"
)

// recorder is a testing.TB that records what TestBackend reports instead
// of failing the test that runs it. Everything else (Cleanup, Helper)
// goes to the real test.
type recorder struct {
	testing.TB
	errors, logs, skips []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Log(args ...any)  { r.logs = append(r.logs, fmt.Sprint(args...)) }
func (r *recorder) Skip(args ...any) { r.skips = append(r.skips, fmt.Sprint(args...)) }
func (r *recorder) Fatal(args ...any) {
	r.TB.Helper()
	r.TB.Fatal(args...)
}

// losesLayers is the control backend that keeps only the bottom lower: a
// real backend bug in miniature, which TestBackend must report.
type losesLayers struct{ *control.Control }

func (l losesLayers) Mount(ctx context.Context, s backend.MountSpec) (backend.Mount, error) {
	s.Lowers = s.Lowers[len(s.Lowers)-1:]
	return l.Control.Mount(ctx, s)
}

// TestBackendReports: a lost layer is an error of its scenario, with the
// finding; a documented deviation is logged with its citation and passes;
// a clean backend reports nothing.
func TestBackendReports(t *testing.T) {
	o := requireOverlay(t)
	cases := []struct {
		name                string
		b                   backend.Backend
		focus               string
		wantError, wantLog  string
		noErrors, noXFailed bool
	}{
		{name: "lost layer", b: losesLayers{control.New()}, focus: "^permissions/chmod-file-in-layer/layer=2$",
			wantError: "etc/passwd: mode"},
		{name: "documented", b: o, focus: "^rename/rename-lower-dir$", wantLog: "overlayfs.rst", noErrors: true},
		{name: "clean", b: control.New(), focus: "^rename/rename-lower-dir$|^permissions/chmod-file-in-layer/", noErrors: true, noXFailed: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{TB: t}
			TestBackend(r, c.b, Focus(c.focus), Depth(3))
			all := func(l []string) string { return strings.Join(l, "\n") }
			if c.wantError != "" && !strings.Contains(all(r.errors), c.wantError) {
				t.Errorf("errors %q, want one with %q", r.errors, c.wantError)
			}
			if c.wantLog != "" && !strings.Contains(all(r.logs), c.wantLog) {
				t.Errorf("logs %q, want one with %q", r.logs, c.wantLog)
			}
			if c.noErrors && len(r.errors) > 0 {
				t.Errorf("errors: %q", r.errors)
			}
			if c.noXFailed && strings.Contains(all(r.logs), "xfail") {
				t.Errorf("xfail logged on the control backend: %q", r.logs)
			}
			if len(r.skips) > 0 {
				t.Errorf("skipped: %q", r.skips)
			}
		})
	}
}

func requireOverlay(t *testing.T) *overlay.Overlay {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: TestBackend mounts filesystems")
	}
	o, err := overlay.NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	return o
}
