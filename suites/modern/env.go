package modern

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// T is one run of a check: what testing.T is to a test, so that a check
// reads like one. Errorf records a finding (the check goes on), Fatalf
// records one and ends the check, Skipf ends it as a skip, Logf keeps a
// note; Cleanup functions run when the check ends, last first, on every
// way out.
type T struct {
	ctx      context.Context
	name     string
	dir      string
	temps    int
	findings []snapshot.Finding
	notes    []string
	skip     string
	cleanups []func()
}

// stop ends a check early (Fatalf, Skipf); run recovers it.
type stop struct{}

// run runs f as the check called name beneath dir.
func run(ctx context.Context, name, dir string, f func(*T)) scenario.CheckResult {
	t := &T{ctx: ctx, name: name, dir: dir}
	func() {
		defer func() {
			for i := len(t.cleanups) - 1; i >= 0; i-- {
				t.cleanups[i]()
			}
			if p := recover(); p != nil {
				if _, ok := p.(stop); !ok {
					panic(p)
				}
			}
		}()
		f(t)
	}()
	return scenario.CheckResult{Skip: t.skip, Findings: t.findings, Notes: t.notes}
}

// Helper is testing.T's, for the helpers that take a *T.
func (t *T) Helper() {}

// Errorf records a finding: the kernel did otherwise than the check's
// citation says. The message says what was wanted and what came, never
// a scratch path (a baseline matches findings by their text).
func (t *T) Errorf(format string, args ...any) {
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), t.dir, "$DIR")
	t.findings = append(t.findings, snapshot.Finding{Kind: snapshot.KindInvariant, Path: t.name, Field: "behaviour", Merged: msg,
		Reference: "as cited"})
}

// Deviation records a finding on what, in field, shown as got where the
// citation says want (no scratch path in either).
func (t *T) Deviation(what, field, want, got string) {
	t.findings = append(t.findings, snapshot.Finding{Kind: snapshot.KindInvariant, Path: what, Field: field,
		Reference: strings.ReplaceAll(want, t.dir, "$DIR"), Merged: strings.ReplaceAll(got, t.dir, "$DIR")})
}

// Fatalf is Errorf that ends the check.
func (t *T) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	panic(stop{})
}

// Fatal is Fatalf of its arguments.
func (t *T) Fatal(args ...any) { t.Fatalf("%s", fmt.Sprint(args...)) }

// Skipf ends the check as a skip with the reason.
func (t *T) Skipf(format string, args ...any) {
	t.skip = fmt.Sprintf(format, args...)
	panic(stop{})
}

// Logf keeps a note for the verbose report.
func (t *T) Logf(format string, args ...any) {
	t.notes = append(t.notes, strings.ReplaceAll(fmt.Sprintf(format, args...), t.dir, "$DIR"))
}

// Cleanup runs f when the check ends.
func (t *T) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

// TempDir is a new empty directory beneath the check's own.
func (t *T) TempDir() string {
	t.temps++
	d := filepath.Join(t.dir, fmt.Sprintf("t%d", t.temps))
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatalf("temp dir: %v", err)
	}
	return d
}
