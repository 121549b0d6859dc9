// Package spec runs a suite's scenarios as Ginkgo specs: one table entry per
// expanded scenario, labelled with the scenario's labels and suite, against
// the backend that LAYERCHECK_BACKEND and LAYERCHECK_OPTIONS name (kernel
// overlay by default) at depth LAYERCHECK_DEPTH (3 by default), on the
// storage layout LAYERCHECK_LAYOUT names (samefs by default).
//
// Layers are built the ways the suite asks for (Scenarios' builds: mount
// by default; the whiteout suite asks for mount, extract and
// extract-xattr, see harness.BuildExtract), or the comma-separated ways
// LAYERCHECK_BUILD names for every suite. With more than one, each entry
// runs once per way, named "[extract] scenario" and labelled
// "build-extract", so -ginkgo.label-filter=build-mount runs one of them.
//
// A spec fails exactly where `layercheck` fails (harness.Gate, the one
// policy): when its scenario finds what no documentation explains and the
// baseline does not hold, or when the harness cannot run it; it is
// skipped, with the reason, when the scenario cannot be placed at this
// depth or the machine cannot mount. As on the command line, the null
// scenario of each fixture runs first (the spec "standing/<fixture>"),
// and what it shows is left out of every other spec's verdict.
//
// The baseline is the file LAYERCHECK_BASELINE names (what `layercheck
// baseline` writes); unset, it is the one committed beside the suites for
// the kernel CI runs on (DefaultBaseline); set and empty, there is none
// and every unexpected finding fails.
package spec

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/frontend/driver"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend/registry"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/triage"
)

// Depth is the stack depth the specs run at.
func Depth() int {
	if d, err := strconv.Atoi(os.Getenv("LAYERCHECK_DEPTH")); err == nil {
		return d
	}
	return harness.DefaultDepth
}

// Main is the TestMain of a suite package: it moves the test binary into a
// private mount namespace (see sandbox.ReexecInMountNamespace) first.
func Main(m *testing.M) { os.Exit(driver.Main(m)) }

// DefaultBaseline is the baseline the specs read when LAYERCHECK_BASELINE
// is not set, relative to a suite package's directory (where go test runs
// it): the deviations of kernel overlayfs at the specs' default depth on
// the kernel CI runs, recorded with `layercheck baseline`.
const DefaultBaseline = "../baseline-6.18.txt"

var (
	// session is the open session of the specs and build its build mode
	// (a build mode is part of a run's plan): a process has one session
	// at a time (its scratch is named by the PID), so the specs of the
	// next build mode close it and open their own; entries run in build
	// order, so that happens once per build mode. skipAll says why no
	// session can open here.
	session *harness.Session
	build   string
	skipAll string
	gate    harness.Gate
)

// setup reads what every session of the suite process shares: the
// privilege and the baseline.
func setup() {
	if os.Geteuid() != 0 {
		skipAll = "layercheck specs mount filesystems: run them as root"
		return
	}
	var err error
	gate.Baseline, err = readBaseline()
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
}

// sessionFor returns the session of the build mode, opening it (and
// closing the previous build mode's) where it is not the open one: the
// plan the LAYERCHECK_ variables name, with that build mode.
func sessionFor(mode string) *harness.Session {
	if session != nil && build == mode {
		return session
	}
	if session != nil {
		gomega.Expect(session.Close()).To(gomega.Succeed())
		session = nil
	}
	// LAYERCHECK_UNMOUNT: the unmount template of LAYERCHECK_BACKEND=exec:TEMPLATE.
	backend, err := registry.NewBackendUnmount(os.Getenv("LAYERCHECK_BACKEND"), os.Getenv("LAYERCHECK_OPTIONS"), os.Getenv("LAYERCHECK_UNMOUNT"))
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	s, err := harness.OpenSession(context.Background(), harness.Plan{
		Backend: backend, Depth: Depth(), Bases: fixtures.Bases(""), Build: harness.BuildMode(mode),
		Layout: layout.Name(os.Getenv("LAYERCHECK_LAYOUT")), // "" is samefs
		Gate:   gate,
	})
	if _, ok := err.(*harness.EnvError); ok {
		skipAll = err.Error()
		return nil
	}
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	session, build = s, mode
	return s
}

// readBaseline reads LAYERCHECK_BASELINE, or DefaultBaseline when it is
// not set; set and empty, there is none.
func readBaseline() (*triage.Baseline, error) {
	path, set := os.LookupEnv("LAYERCHECK_BASELINE")
	if !set {
		path = DefaultBaseline
	}
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("LAYERCHECK_BASELINE: %w", err)
	}
	defer f.Close()
	return triage.ReadBaseline(f)
}

// Builds are the build modes the specs run: LAYERCHECK_BUILD if set, else
// the suite's own (mount if none).
func Builds(suite []string) []string {
	if env := os.Getenv("LAYERCHECK_BUILD"); env != "" {
		return strings.Split(env, ",")
	}
	if len(suite) == 0 {
		return []string{string(harness.BuildMount)}
	}
	return suite
}

// Scenarios declares the suite's scenarios as a Ginkgo table, once per
// build mode (Builds). Call it at package level:
// var _ = spec.Scenarios("permissions", permissions.Scenarios()).
func Scenarios(suite string, scenarios []scenario.Scenario, builds ...string) bool {
	ginkgo.BeforeSuite(setup)
	ginkgo.AfterSuite(func() {
		if session != nil {
			gomega.Expect(session.Close()).To(gomega.Succeed())
		}
	})
	args := []any{func(build string, s scenario.Scenario) { run(build, s, scenarios) }}
	builds = Builds(builds)
	for _, b := range builds {
		for _, fx := range fixtureNames(scenarios) {
			name := harness.StandingSuite + "/" + fx
			if len(builds) > 1 {
				name = "[" + b + "] " + name
			}
			null := scenario.Scenario{Suite: harness.StandingSuite, Name: fx, Fixture: fx}
			args = append(args, ginkgo.Entry(name, ginkgo.Label(suite, "build-"+b, harness.StandingSuite), b, null))
		}
		for _, s := range scenarios {
			for _, inst := range scenario.Expand(s, Depth()) {
				name := inst.Name
				if len(builds) > 1 {
					name = "[" + b + "] " + name
				}
				labels := append([]string{suite, "build-" + b}, inst.Labels...)
				args = append(args, ginkgo.Entry(name, ginkgo.Label(labels...), b, inst))
			}
		}
	}
	return ginkgo.DescribeTable(suite, args...)
}

// fixtureNames lists the fixtures the scenarios use, in order.
func fixtureNames(scenarios []scenario.Scenario) []string {
	var out []string
	for _, s := range scenarios {
		if fx := s.FixtureName(); !slices.Contains(out, fx) {
			out = append(out, fx)
		}
	}
	return out
}

// run runs one scenario instance as a spec, its layers built by build
// (a standing entry is the null scenario's result, run once per build),
// and fails it where the gate fails it.
func run(build string, s scenario.Scenario, suite []scenario.Scenario) {
	if skipAll != "" {
		ginkgo.Skip(skipAll)
	}
	sess := sessionFor(build)
	if sess == nil {
		ginkgo.Skip(skipAll)
	}
	// The protocol of every front end, one scenario at a time
	// (harness.Session.RunOne): the standing scenarios of the suite's
	// fixtures first, in the suite's order, then this one, repeated as
	// the plan says, and the kernel recheck.
	sess.RunStanding(context.Background(), suite)
	res, unattributed := sess.RunOne(context.Background(), s)
	for _, l := range unattributed {
		fmt.Fprintf(ginkgo.GinkgoWriter, "the kernel logged, and no rerun brought back: %s\n", l)
	}
	ginkgo.AddReportEntry("verdict", res.Verdict)
	switch res.Verdict {
	case harness.Skip:
		ginkgo.Skip(res.Reason)
	case harness.Error:
		ginkgo.Fail("the harness could not run the scenario: " + res.Reason)
	}
	var held, failing []string
	newSigs := sess.Gate().New(res)
	for _, f := range res.Unexpected() {
		if slices.Contains(newSigs, triage.Signature(f)) {
			failing = append(failing, f.String())
		} else {
			held = append(held, f.String())
		}
	}
	if len(held) > 0 {
		// Reported, not hidden: the command line fails on them too
		// unless its --baseline holds them, as this one does.
		ginkgo.AddReportEntry("deviations the baseline holds", strings.Join(held, "\n"))
		fmt.Fprintf(ginkgo.GinkgoWriter, "in the baseline:\n  %s\n", strings.Join(held, "\n  "))
	}
	gomega.Expect(failing).To(gomega.BeEmpty(), "unexpected findings not in the baseline:\n  %s", strings.Join(failing, "\n  "))
	gomega.Expect(sess.Gate().Fails(res)).To(gomega.BeFalse(), "the gate fails %s: %s %s", res.Name, res.Verdict, res.Reason)
}

// Run is a suite package's Go test: it runs the Ginkgo specs its package
// declared with Scenarios. A suite's test file is then
//
//	func TestMain(m *testing.M)      { spec.Main(m) }
//	func TestSuite(t *testing.T)     { spec.Run(t, "name") }
//	var _ = spec.Scenarios("name", name.Scenarios())
func Run(t *testing.T, suite string) {
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(t, suite)
}
