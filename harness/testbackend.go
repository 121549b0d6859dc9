package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
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
// that the Gate fails is t.Error with its unexpected findings, each with
// the known issue it is, if b records it as one (backend.KnownIssuer); a
// scenario the harness could not run is t.Error with why.
//
// TestBackend mounts filesystems and acts as several users: it needs
// root, and it runs in a private mount namespace when the test binary's
// TestMain calls Main. Without root, or where b cannot mount at all (its
// probe mount fails), the whole test is t.Skip with the reason. A bad
// option (a depth out of range, a suite or a build mode that does not
// exist) is t.Fatal.
//
// The subtests run in parallel (go test -parallel N bounds them), after
// TestBackend has returned; the session is closed once they are done.
//
// The options are Depth (3 by default), Suites (all by default), Focus,
// Build (BuildMount by default) and Policy (Gate{} by default). t is
// usually a *testing.T; with any other testing.TB (a benchmark) the
// scenarios run one after another in t itself, a skip logged.
//
// A storage driver's test file:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
//
//	func TestSuites(t *testing.T) {
//		harness.TestBackend(t, myDriverBackend{}, harness.Depth(5))
//	}
func TestBackend(t testing.TB, b backend.Backend, opts ...Option) {
	t.Helper()
	o := testOptions{depth: 3, build: BuildMount}
	for _, opt := range opts {
		opt(&o)
	}
	scenarios, err := o.scenarios()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		t.Skip("layercheck mounts filesystems and acts as several users: run the test as root")
	}
	cfg, err := openTestSession(t, b, o)
	if err != nil {
		t.Fatal(err)
	}
	// What the stack shows with no op is reported once, and left out of
	// every scenario's verdict (RunStanding).
	for _, st := range RunStanding(context.Background(), &cfg, scenarios) {
		runSubtest(t, st.Name, func(t testing.TB) { reportResult(t, st, o.gate) })
	}
	for _, inst := range scenarios {
		runSubtest(t, inst.FullName(), func(t testing.TB) {
			reportResult(t, RunScenario(context.Background(), cfg, inst), o.gate)
		})
	}
}

// Main is the TestMain of a package that calls TestBackend: it runs the
// test binary again in a private mount namespace (so that nothing the
// tests mount can outlive them, see sandbox.ReexecInMountNamespace) and
// returns the exit code of that run; in the run itself, or where no
// namespace can be made, it runs the tests here. The caller exits:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
func Main(m *testing.M) int {
	var child *sandbox.ChildExit
	if err := sandbox.ReexecInMountNamespace(); errors.As(err, &child) {
		return child.Code
	}
	return m.Run()
}

// Option is an option of TestBackend.
type Option func(*testOptions)

type testOptions struct {
	depth  int
	suites []string
	focus  string
	build  BuildMode
	gate   Gate
	idmap  *idmap.Spec // Idmap (idmapped.go)
}

// Depth sets the read-only layers under the upper (1 to MaxDepth).
func Depth(n int) Option { return func(o *testOptions) { o.depth = n } }

// Suites runs only the suites named ("permissions", "whiteout",
// "rename").
func Suites(names ...string) Option { return func(o *testOptions) { o.suites = names } }

// Focus runs only the scenario instances whose name or labels the regular
// expression re matches.
func Focus(re string) Option { return func(o *testOptions) { o.focus = re } }

// Build sets how the layers are built (BuildMount, BuildExtract,
// "extract-xattr"; see Config.SetBuild).
func Build(mode BuildMode) Option { return func(o *testOptions) { o.build = mode } }

// Policy sets the Gate that decides which results fail the test.
func Policy(g Gate) Option { return func(o *testOptions) { o.gate = g } }

// scenarios expands the chosen suites' scenarios at the depth and keeps
// those that the focus matches.
func (o testOptions) scenarios() ([]scenario.Scenario, error) {
	all, names := suites.All(), suites.Names()
	if len(o.suites) > 0 {
		names = o.suites
	}
	focus, err := regexp.Compile(o.focus)
	if err != nil {
		return nil, &UsageError{Setting: "focus", Msg: err.Error()}
	}
	var out []scenario.Scenario
	for _, n := range names {
		if _, ok := all[n]; !ok {
			return nil, &UsageError{Setting: "suites", Msg: fmt.Sprintf("unknown suite %q (known: %s)", n, strings.Join(suites.Names(), ", "))}
		}
		for _, s := range all[n] {
			for _, inst := range scenario.Expand(s, o.depth) {
				if focus.MatchString(inst.FullName()) || focus.MatchString(strings.Join(inst.Labels, " ")) {
					out = append(out, inst)
				}
			}
		}
	}
	return out, nil
}

// openTestSession opens the session of a TestBackend call, closed when t
// and its subtests are done; it skips t where b cannot mount here.
func openTestSession(t testing.TB, b backend.Backend, o testOptions) (Config, error) {
	sess, err := OpenSession(context.Background(), SessionOptions{Backend: b, Depth: o.depth, Bases: fixtures.Bases(""), Idmap: o.idmap})
	var envErr *EnvError
	if errors.As(err, &envErr) {
		t.Skip(err.Error())
	}
	if err != nil {
		return Config{}, err
	}
	t.Cleanup(func() {
		if err := sess.Close(); err != nil {
			t.Errorf("close the session: %v", err)
		}
	})
	cfg := sess.Config
	return cfg, cfg.SetBuild(string(o.build))
}

// runSubtest runs f as the subtest name of t, or, where t cannot have
// subtests, in t itself.
func runSubtest(t testing.TB, name string, f func(testing.TB)) {
	if tt, ok := t.(*testing.T); ok {
		tt.Run(name, func(t *testing.T) {
			t.Parallel() // scenarios are independent: each has its own directories
			f(t)
		})
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
func reportResult(t testing.TB, r Result, g Gate) {
	switch r.Verdict {
	case Skip:
		t.Skip(r.Reason)
		return
	case Error:
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
