package modern

import (
	"context"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/scenario"
)

// TestTRecordsFindingsSkipsAndCleanups: Errorf is a finding and the check
// goes on, Fatalf ends it, Skipf makes it a skip, cleanups run last first
// on every way out, and no scratch path reaches a finding's text.
func TestTRecordsFindingsSkipsAndCleanups(t *testing.T) {
	dir := t.TempDir()
	var order []string
	out := run(context.Background(), "c", dir, func(c *T) {
		c.Cleanup(func() { order = append(order, "first") })
		c.Cleanup(func() { order = append(order, "second") })
		c.Errorf("saw %s/x", dir)
		c.Fatalf("stop")
		c.Errorf("never")
	})
	if len(out.Findings) != 2 || out.Skip != "" {
		t.Fatalf("findings %v skip %q, want two findings", out.Findings, out.Skip)
	}
	if strings.Contains(out.Findings[0].Merged, dir) || !strings.Contains(out.Findings[0].Merged, "$DIR/x") {
		t.Errorf("finding %q: want the scratch path as $DIR", out.Findings[0].Merged)
	}
	if strings.Join(order, ",") != "second,first" {
		t.Errorf("cleanups ran %v, want second,first", order)
	}
	skipped := run(context.Background(), "c", dir, func(c *T) { c.Skipf("no %s", "feature"); c.Errorf("never") })
	if skipped.Skip != "no feature" || len(skipped.Findings) != 0 {
		t.Errorf("skip %q findings %v, want the skip alone", skipped.Skip, skipped.Findings)
	}
}

// TestScenariosAreChecksWithUniqueNames: every scenario of the suite is a
// check (no steps), with a doc, a unique name and the suite's label.
func TestScenariosAreChecksWithUniqueNames(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Scenarios() {
		if s.Check == nil || len(s.Steps) != 0 || s.Doc == "" || s.Suite != "modern" || s.Labels[0] != "modern" {
			t.Errorf("%s: check %v, %d steps, doc %q, suite %q, labels %v", s.Name, s.Check != nil, len(s.Steps), s.Doc, s.Suite, s.Labels)
		}
		if seen[s.Name] {
			t.Errorf("%s twice", s.Name)
		}
		seen[s.Name] = true
	}
	for _, name := range []string{"data-only/missing-object-is-an-error", "identity/copied-layers-refused-estale",
		"mount-api/lowerdir-string-regular-after-data-einval"} {
		if s := byName(name); s == nil || len(s.KernelLog) == 0 {
			t.Errorf("%s: %v, want it to declare the line the kernel prints for it (it runs only with --kernel-log-ok)", name, s)
		}
	}
	if len(seen) != 19 {
		t.Errorf("%d scenarios, want the 19 checks", len(seen))
	}
}

// byName is the suite's scenario called name, or nil.
func byName(name string) *scenario.Scenario {
	for _, s := range Scenarios() {
		if s.Name == name {
			return &s
		}
	}
	return nil
}
