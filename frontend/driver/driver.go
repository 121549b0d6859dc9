// Package driver is the go test entry of layercheck: a storage driver's own
// tests call TestBackend to run every suite against the driver, and Main as
// their TestMain. It sits above the engine (package harness), which knows
// neither the suites nor the fixtures: this package brings them together.
package driver

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/suites"
)

// TestBackend runs every scenario of every suite against b, as a test of
// b: one subtest per scenario instance, named as the command line names
// it ("permissions/chmod-file-in-layer/layer=1"). It is what a storage
// driver calls from its own tests, as a snapshotter calls containerd's
// SnapshotterSuite.
//
// A scenario that cannot run here (the depth cannot place it, b lacks a
// feature it needs, b's documentation leaves it undefined) is t.Skip with
// the reason. A finding that b's documentation calls intended (one of
// b.Expectations()) is logged with its citation and passes. A result
// that harness.Gate fails is t.Error with its unexpected findings, each
// with the known issue it is, if b records it as one
// (backend.KnownIssuer); a scenario the harness could not run is t.Error
// with why.
//
// TestBackend mounts filesystems and acts as several users: it needs
// root, and it runs in a private mount namespace when the test binary's
// TestMain calls Main. Without root, or where b cannot mount at all (its
// probe mount fails), the whole test is t.Skip with the reason. A bad
// option (a depth out of range, a suite or a build mode that does not
// exist) is t.Fatal.
//
// The scenarios run through the same protocol as the command line's
// (harness.Session.Run: standing first, the plan's workers, --repeat, the
// kernel recheck); each result is then reported as its subtest, so that
// `go test` and `layercheck` give the same verdicts.
//
// The options are Depth (harness.DefaultDepth by default), Suites (all by
// default), Focus, Build (harness.BuildMount by default), Policy
// (harness.Gate{} by default), Repeat, OnResult and WithPlan. t is
// usually a *testing.T; with any other testing.TB (a benchmark) the
// scenarios run one after another in t itself, a skip logged.
//
// A storage driver's test file:
//
//	func TestMain(m *testing.M) { os.Exit(driver.Main(m)) }
//
//	func TestSuites(t *testing.T) {
//		driver.TestBackend(t, myDriverBackend{}, driver.Depth(5))
//	}
func TestBackend(t testing.TB, b backend.Backend, opts ...Option) {
	t.Helper()
	o := testOptions{plan: harness.Plan{Backend: b, Depth: harness.DefaultDepth, Bases: fixtures.Bases("")}}
	for _, opt := range opts {
		opt(&o)
	}
	plan, err := o.plan.Check()
	if err != nil {
		t.Fatal(err)
	}
	scenarios, _, err := o.sel.Select(plan.Depth)
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		t.Skip("layercheck mounts filesystems and acts as several users: run the test as root")
	}
	sess := openTestSession(t, plan)
	// The protocol of every front end (harness.Session.Run): what the
	// stack shows with no op is reported once, first, and left out of
	// every scenario's verdict; then the scenarios, repeated as the plan
	// says, and the kernel recheck.
	out := sess.Run(context.Background(), scenarios, nil)
	for _, res := range out.Results {
		if o.onResult != nil {
			o.onResult(res)
		}
		runSubtest(t, res.Name, func(t testing.TB) { reportResult(t, res, plan.Gate) })
	}
	for _, l := range out.Unattributed {
		t.Log("the kernel logged, and no scenario's rerun brought back:", l)
	}
}

// Main is the TestMain of a package that calls TestBackend: it runs the
// test binary again in a private mount namespace (so that nothing the
// tests mount can outlive them, see sandbox.ReexecInMountNamespace) and
// returns the exit code of that run; in the run itself, or where no
// namespace can be made, it runs the tests here. The caller exits:
//
//	func TestMain(m *testing.M) { os.Exit(driver.Main(m)) }
func Main(m *testing.M) int {
	var child *sandbox.ChildExit
	if err := sandbox.ReexecInMountNamespace(); errors.As(err, &child) {
		return child.Code
	}
	return m.Run()
}

// Option is an option of TestBackend: a setting of its run's plan
// (harness.Plan) or of its selection (suites.Selection).
type Option func(*testOptions)

type testOptions struct {
	plan     harness.Plan
	sel      suites.Selection
	onResult func(harness.Result)
}

// Depth sets the read-only layers under the upper (1 to harness.MaxDepth;
// harness.DefaultDepth by default).
func Depth(n int) Option { return func(o *testOptions) { o.plan.Depth = n } }

// Suites runs only the suites named ("permissions", "whiteout",
// "rename").
func Suites(names ...string) Option { return func(o *testOptions) { o.sel.Suites = names } }

// Focus runs only the scenario instances whose name or labels the regular
// expression re matches.
func Focus(re string) Option { return func(o *testOptions) { o.sel.Focus = re } }

// Build sets how the layers are built (harness.BuildMount,
// harness.BuildExtract, "extract-xattr").
func Build(mode harness.BuildMode) Option { return func(o *testOptions) { o.plan.Build = mode } }

// Policy sets the harness.Gate that decides which results fail the test.
func Policy(g harness.Gate) Option { return func(o *testOptions) { o.plan.Gate = g } }

// Repeat runs each scenario n times; a verdict that differs between runs
// is reported as flaky (harness.Repeats).
func Repeat(n int) Option { return func(o *testOptions) { o.plan.Repeat = n } }

// OnResult calls f with every result, the standing entries first, before
// it is reported as its subtest (for a driver that keeps its own record).
func OnResult(f func(harness.Result)) Option { return func(o *testOptions) { o.onResult = f } }

// Idmap attaches layers through a mapping of owners, as --idmap does:
// idmap.Parse("lowers") or a Spec of your own.
func Idmap(spec idmap.Spec) Option { return func(o *testOptions) { o.plan.Idmap = &spec } }

// WithPlan changes any other setting of the run's plan (a layout, a
// dimension the options above do not name): f gets the plan as the
// options before it left it.
func WithPlan(f func(*harness.Plan)) Option { return func(o *testOptions) { f(&o.plan) } }

// openTestSession opens the session of a TestBackend call, closed when t
// and its subtests are done; it skips t where b cannot mount here.
func openTestSession(t testing.TB, plan harness.Plan) *harness.Session {
	t.Helper()
	sess, err := harness.OpenSession(context.Background(), plan)
	var envErr *harness.EnvError
	if errors.As(err, &envErr) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sess.Close(); err != nil {
			t.Errorf("close the session: %v", err)
		}
	})
	return sess
}

// runSubtest runs f as the subtest name of t, or, where t cannot have
// subtests, in t itself.
func runSubtest(t testing.TB, name string, f func(testing.TB)) {
	if tt, ok := t.(*testing.T); ok {
		tt.Run(name, func(t *testing.T) { f(t) })
		return
	}
	f(&inline{TB: t, name: name})
}

// inline reports for one scenario in a testing.TB that has no subtests:
// its messages carry the scenario's name, and a skip is logged.
type inline struct {
	testing.TB
	name string
}

func (i *inline) Skip(args ...any) { i.TB.Log(append([]any{i.name + ": skip:"}, args...)...) }
func (i *inline) Log(args ...any)  { i.TB.Log(append([]any{i.name + ":"}, args...)...) }
func (i *inline) Errorf(format string, args ...any) {
	i.TB.Errorf("%s: "+format, append([]any{i.name}, args...)...)
}

// reportResult turns one result into the subtest's outcome (see
// TestBackend).
func reportResult(t testing.TB, r harness.Result, g harness.Gate) {
	switch r.Verdict {
	case harness.Skip:
		t.Skip(r.Reason)
		return
	case harness.Error:
		t.Errorf("the harness could not run the scenario: %s", r.Reason)
		return
	}
	for _, f := range r.Findings {
		if f.Expected() {
			t.Log("xfail:", f.String(), "\n  documented:", f.ExpectedBy)
		}
	}
	if !g.Fails(r) {
		if r.Reason != "" {
			t.Log(string(r.Verdict)+":", r.Reason)
		}
		return
	}
	var lines []string
	for _, f := range r.Unexpected() {
		lines = append(lines, f.String())
	}
	msg := string(r.Verdict)
	if r.Reason != "" {
		msg += ": " + r.Reason
	}
	t.Errorf("%s; unexpected findings:\n  %s", msg, strings.Join(lines, "\n  "))
}
