package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"

	"github.com/layercheck/layercheck/harness"
)

// JUnit XML as the common CI readers take it (Jenkins, GitLab, GitHub
// actions' test reporters): one testsuite per layercheck suite (the
// standing entries first, as the suite "standing"), one testcase per
// scenario. A case fails exactly where the gate fails: a fail carries the
// unexpected findings of its own ops in plain words (standing ones are
// counted in system-out), an error its reason; a skip its reason; an
// xfail passes with the citations in system-out, an xpass with the
// reason, a fail the baseline holds with its findings.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

func secs(f float64) string { return fmt.Sprintf("%.3f", f) }

// junit builds the XML document of the report.
func (r *report) junit() junitSuites {
	doc := junitSuites{Name: "layercheck", Time: secs(r.Summary.Seconds)}
	index := map[string]int{}
	props := []junitProperty{
		{"backend", r.Target.Backend}, {"options", r.Target.Options}, {"kernel", r.Target.Kernel},
		{"fs", r.Target.FS}, {"depth", fmt.Sprint(r.Target.Depth)},
	}
	suiteTime := map[string]float64{}
	for _, res := range r.Scenarios {
		i, ok := index[res.Suite]
		if !ok {
			i = len(doc.Suites)
			index[res.Suite] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: res.Suite, Properties: props})
		}
		s := &doc.Suites[i]
		c := r.junitCase(res, s)
		if n := standingCount(res); n > 0 {
			c.SystemOut = strings.TrimPrefix(c.SystemOut+fmt.Sprintf("\n%d standing findings (see the standing suite), left out", n), "\n")
		}
		s.Tests++
		suiteTime[res.Suite] += res.Seconds
		s.Cases = append(s.Cases, c)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = secs(suiteTime[s.Name])
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	return doc
}

// junitCase is the test case of one result; it counts a failure, an error
// or a skip in its suite s.
func (r *report) junitCase(res harness.Result, s *junitSuite) junitCase {
	c := junitCase{Name: strings.TrimPrefix(res.Name, res.Suite+"/"), Classname: "layercheck." + res.Suite, Time: secs(res.Seconds)}
	fails := r.gate.Fails(res)
	switch {
	case res.Verdict == harness.Fail:
		var lines []string
		for _, f := range res.Unexpected() {
			lines = append(lines, "["+string(f.Severity())+"] "+f.String())
		}
		if !fails {
			c.SystemOut = "fail, every deviation in the baseline:\n" + strings.Join(lines, "\n")
			break
		}
		c.Failure = &junitMessage{Message: lines[0], Type: "layercheck.fail", Body: strings.Join(lines, "\n") + reproNote(res)}
		s.Failures++
	case res.Verdict == harness.Error:
		c.Error = &junitMessage{Message: firstLine(res.Reason), Type: "layercheck.error", Body: res.Reason}
		s.Errors++
	case res.Verdict == harness.Skip:
		c.Skipped = &junitMessage{Message: res.Reason}
		s.Skipped++
	case res.Verdict == harness.XFail:
		var lines []string
		for _, f := range res.Findings {
			if !f.Standing {
				lines = append(lines, "xfail: "+f.String()+"\n  documented by "+f.ExpectedBy)
			}
		}
		c.SystemOut = strings.Join(lines, "\n")
	case res.Verdict == harness.XPass:
		c.SystemOut = "xpass: " + res.Reason
		if fails {
			c.Failure = &junitMessage{Message: firstLine(res.Reason), Type: "layercheck.xpass", Body: res.Reason}
			s.Failures++
		}
	}
	return c
}

func reproNote(res harness.Result) string {
	if res.Repro == "" {
		return ""
	}
	return "\nreproducer: sh " + res.Repro
}

func (r *report) writeJUnit(path string) error {
	b, err := xml.MarshalIndent(r.junit(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}
