package driver

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend/overlay"
)

// agreeScenarios are a few scenarios of the rename suite with every
// verdict kernel overlayfs gives them at the default depth: a pass, a
// documented deviation (xfail), a known issue (fail) and a skip.
var agreeScenarios = []string{"rename-file-within-dir", "rename-one-name-of-hardlink", "rename-hardlink-over-its-other-name", "whiteout-file"}

// TestFrontEndsAgree: the command line, TestBackend and the Ginkgo specs
// are front ends of one protocol (harness.Session), so on the same
// scenarios they come to the same verdicts, the standing entries
// included. The command runs from a fresh build; the specs run with go
// test in the suite's package, their verdicts read from Ginkgo's JSON
// report.
func TestFrontEndsAgree(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the front ends mount filesystems")
	}
	if testing.Short() {
		t.Skip("runs the command and the specs")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = "/usr/local/go/bin/go"
	}
	names := "(" + strings.Join(agreeScenarios, "|") + ")"
	cli := cliVerdicts(t, goCmd, "^rename/"+names+"$")
	spec := specVerdicts(t, goCmd, "rename "+names+"$") // a spec's text is the table's and the entry's
	tb := map[string]string{}
	o, err := overlay.NewOverlay("")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	TestBackend(r, o, Suites("rename"), Focus("^rename/"+names+"$"), OnResult(func(res harness.Result) { tb[res.Name] = string(res.Verdict) }))
	for _, n := range agreeScenarios {
		if _, ok := cli["rename/"+n]; !ok {
			t.Fatalf("the command did not run rename/%s: %v", n, cli)
		}
	}
	if _, ok := cli[harness.StandingSuite+"/rootfs"]; !ok {
		t.Fatalf("the command ran no standing entry: %v", cli)
	}
	if d := cmp.Diff(cli, tb); d != "" {
		t.Errorf("the command's verdicts (-) and TestBackend's (+) differ:\n%s", d)
	}
	// The specs report every standing entry of the suite; compare the
	// scenarios the command ran.
	for name, v := range cli {
		if spec[name] != v {
			t.Errorf("%s: the command says %s, the spec %q", name, v, spec[name])
		}
	}
}

// cliVerdicts runs layercheck on the rename suite with the focus and reads
// each scenario's verdict from its JSON.
func cliVerdicts(t *testing.T, goCmd, focus string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	bin, out := filepath.Join(dir, "layercheck"), filepath.Join(dir, "out.json")
	if b, err := exec.Command(goCmd, "build", "-o", bin, "../../cmd/layercheck").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	cmd := exec.Command(bin, "--suite", "rename", "--focus", focus, "--json", out, "--quiet")
	if b, err := cmd.CombinedOutput(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok { // exit 1: a scenario failed, as one here does
			t.Fatalf("layercheck: %v\n%s", err, b)
		}
	}
	var rep struct {
		Scenarios []struct{ Name, Verdict string }
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range rep.Scenarios {
		got[s.Name] = s.Verdict
	}
	return got
}

// specVerdicts runs the rename suite's specs whose names the focus
// matches, with the standing entries, and reads the verdict each reported
// (ginkgo.AddReportEntry "verdict") from Ginkgo's JSON report.
func specVerdicts(t *testing.T, goCmd, focus string) map[string]string {
	t.Helper()
	report := filepath.Join(t.TempDir(), "ginkgo.json")
	cmd := exec.Command(goCmd, "test", "-count=1", "../../suites/rename", "-args",
		"-ginkgo.focus", focus+"|standing/", "-ginkgo.json-report", report)
	cmd.Env = append(os.Environ(), "LAYERCHECK_BASELINE=") // no baseline: the verdict is the same either way
	b, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("go test: %v\n%s", err, b)
	}
	var suites []struct {
		SpecReports []struct {
			LeafNodeText  string
			ReportEntries []struct {
				Name  string
				Value struct{ Representation string }
			}
		}
	}
	rb, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the specs wrote no report: %v\n%s", err, b)
	}
	if err := json.Unmarshal(rb, &suites); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	bracket := regexp.MustCompile(`^\[[a-z-]+\] `)
	for _, s := range suites {
		for _, sr := range s.SpecReports {
			for _, e := range sr.ReportEntries {
				if e.Name == "verdict" {
					name := bracket.ReplaceAllString(sr.LeafNodeText, "")
					if !strings.HasPrefix(name, harness.StandingSuite+"/") {
						name = "rename/" + name
					}
					got[name] = e.Value.Representation
				}
			}
		}
	}
	return got
}
