package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/layercheck/layercheck/harness"
)

// writeTAP writes the results as TAP version 13, the format kselftest
// runners, KernelCI and LAVA read: one test point per scenario (the
// standing entries first), "not ok" exactly where the gate fails, skip as
// "ok ... # SKIP reason", xfail as "not ok ... # TODO citation" (TAP's
// expected failure, which does not fail the run), the findings of the
// scenario's own ops as a YAML diagnostic block. Nothing when path is "".
func (r *report) writeTAP(path string) error {
	if path == "" {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "TAP version 13\n1..%d\n", len(r.Scenarios))
	for i, res := range r.Scenarios {
		status := "ok"
		if r.gate.Fails(res) || res.Verdict == harness.XFail {
			// An xfail is a failure that was expected: TAP says so with
			// "not ok ... # TODO", which no TAP consumer counts as failing.
			status = "not ok"
		}
		fmt.Fprintf(&b, "%s %d %s%s\n", status, i+1, tapEscape(res.Name), tapDirective(res))
		b.WriteString(tapDiagnostics(res))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// tapDirective is the SKIP or TODO directive of a result ("" for none).
func tapDirective(res harness.Result) string {
	switch res.Verdict {
	case harness.Skip:
		return " # SKIP " + tapEscape(firstLine(res.Reason))
	case harness.XFail:
		for _, f := range res.Findings {
			if f.Expected() && !f.Standing {
				return " # TODO " + tapEscape(firstLine(f.ExpectedBy))
			}
		}
	}
	return ""
}

// tapDiagnostics is the YAML block under a test point: the verdict, the
// reason, the findings of the scenario's own ops (standing ones counted).
func tapDiagnostics(res harness.Result) string {
	var lines []string
	standing := 0
	for _, f := range res.Findings {
		if f.Standing {
			standing++
			continue
		}
		lines = append(lines, fmt.Sprintf("    - kind: %s\n      path: %s\n      message: %s", f.Kind, yamlQuote(f.Path), yamlQuote(f.String())))
		if f.Expected() {
			lines = append(lines, "      expected_by: "+yamlQuote(f.ExpectedBy))
		}
	}
	if len(lines) == 0 && res.Reason == "" && standing == 0 {
		return ""
	}
	out := "  ---\n  verdict: " + string(res.Verdict) + "\n"
	if res.Reason != "" && res.Verdict != harness.Skip {
		out += "  reason: " + yamlQuote(res.Reason) + "\n"
	}
	if standing > 0 {
		out += fmt.Sprintf("  standing_findings: %d\n", standing)
	}
	if len(lines) > 0 {
		out += "  findings:\n" + strings.Join(lines, "\n") + "\n"
	}
	return out + "  ...\n"
}

// yamlQuote is s as a double-quoted YAML scalar (JSON's escapes are YAML's).
func yamlQuote(s string) string { return fmt.Sprintf("%q", s) }

// tapEscape keeps a description on its line and its '#' from starting a
// directive.
func tapEscape(s string) string {
	return strings.NewReplacer("\n", " ", "#", `\#`).Replace(s)
}
