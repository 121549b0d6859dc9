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
// A spec fails when its scenario finds what no documentation explains, or
// when the harness cannot run it; it is skipped, with the reason, when the
// scenario cannot be placed at this depth or the machine cannot mount.
package spec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend/registry"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Depth is the stack depth the specs run at.
func Depth() int {
	if d, err := strconv.Atoi(os.Getenv("LAYERCHECK_DEPTH")); err == nil {
		return d
	}
	return 3
}

// Main is the TestMain of a suite package: it moves the test binary into a
// private mount namespace (see sandbox.ReexecInMountNamespace) first.
func Main(m *testing.M) {
	var child *sandbox.ChildExit
	if err := sandbox.ReexecInMountNamespace(); errors.As(err, &child) {
		os.Exit(child.Code) // the tests ran in the child
	}
	os.Exit(m.Run())
}

var (
	session *harness.Session
	skipAll string
)

// setup opens the session once per suite process.
func setup() {
	if os.Geteuid() != 0 {
		skipAll = "layercheck specs mount filesystems: run them as root"
		return
	}
	// LAYERCHECK_UNMOUNT: the unmount template of LAYERCHECK_BACKEND=exec:TEMPLATE.
	backend, err := registry.NewBackendUnmount(os.Getenv("LAYERCHECK_BACKEND"), os.Getenv("LAYERCHECK_OPTIONS"), os.Getenv("LAYERCHECK_UNMOUNT"))
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	session, err = harness.OpenSession(context.Background(), harness.SessionOptions{
		Backend: backend, Depth: Depth(), Bases: fixtures.Bases(""),
		Layout: layout.Name(os.Getenv("LAYERCHECK_LAYOUT")), // "" is samefs
	})
	if _, ok := err.(*harness.EnvError); ok {
		skipAll = err.Error()
		return
	}
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
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
	args := []any{func(build string, s scenario.Scenario) { run(build, s) }}
	builds = Builds(builds)
	for _, b := range builds {
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

// run runs one scenario instance as a spec, its layers built by build.
func run(build string, s scenario.Scenario) {
	if skipAll != "" {
		ginkgo.Skip(skipAll)
	}
	cfg := session.Config
	gomega.Expect(cfg.SetBuild(build)).To(gomega.Succeed())
	res := harness.RunScenario(context.Background(), cfg, s)
	ginkgo.AddReportEntry("verdict", res.Verdict)
	switch res.Verdict {
	case harness.Skip:
		ginkgo.Skip(res.Reason)
	case harness.Error:
		ginkgo.Fail("the harness could not run the scenario: " + res.Reason)
	}
	var known, unknown []string
	for _, f := range res.Unexpected() {
		if f.KnownIssue != "" {
			known = append(known, f.String())
		} else {
			unknown = append(unknown, f.String())
		}
	}
	if len(known) > 0 {
		// Still a failure for the command line; here it is reported,
		// not hidden: see harness.KnownIssue.
		ginkgo.AddReportEntry("known issues (fail on the command line)", strings.Join(known, "\n"))
		fmt.Fprintf(ginkgo.GinkgoWriter, "known issues:\n  %s\n", strings.Join(known, "\n  "))
	}
	gomega.Expect(unknown).To(gomega.BeEmpty(), "unexpected findings:\n  %s", strings.Join(unknown, "\n  "))
	for _, f := range res.Findings {
		if f.Expected() {
			gomega.Expect(f.ExpectedBy).NotTo(gomega.BeEmpty())
		}
	}
}
