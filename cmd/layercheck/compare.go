package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/layercheck/layercheck/harness"
)

// comparison is what changed between two runs (two kernels, two builds,
// two backends), deviation by deviation.
type comparison struct {
	appeared, disappeared, changed []change
	same                           int
	verdicts                       []string // "NAME: pass -> skip: why", scenarios in both whose verdict differs
}

// change is one deviation that differs between the runs: its side in
// each (nil where it does not show), and how its smallest scenario fared
// on the side without it (a skip there says why it could not show).
type change struct {
	sig        string
	a, b       *harness.Deviation
	otherSide  string
	otherState string
}

// compareReports lists each distinct deviation (by signature) of a and b
// as appeared (in b only), disappeared (in a only) or changed (in both,
// shown by a different number of scenarios or smallest scenario).
func compareReports(a, b *report) comparison {
	da, db := deviationsBySig(a), deviationsBySig(b)
	var c comparison
	for _, sig := range signatureUnion(da, db) {
		x, y := da[sig], db[sig]
		switch {
		case x == nil:
			c.appeared = append(c.appeared, change{sig: sig, b: y, otherSide: "A", otherState: stateOf(a, y.Smallest)})
		case y == nil:
			c.disappeared = append(c.disappeared, change{sig: sig, a: x, otherSide: "B", otherState: stateOf(b, x.Smallest)})
		case x.Scenarios != y.Scenarios || x.Smallest != y.Smallest:
			c.changed = append(c.changed, change{sig: sig, a: x, b: y})
		default:
			c.same++
		}
	}
	c.verdicts = verdictChanges(a, b)
	return c
}

// verdictChanges lists the scenarios that ran on both sides with another
// verdict: a scenario that skips on one kernel (a feature it lacks) shows
// here even when no deviation moved.
func verdictChanges(a, b *report) []string {
	before := map[string]harness.Result{}
	for _, r := range a.Scenarios {
		before[r.Name] = r
	}
	var out []string
	for _, r := range b.Scenarios {
		x, ok := before[r.Name]
		if ok && x.Verdict != r.Verdict {
			out = append(out, fmt.Sprintf("%s: %s -> %s", r.Name, stateOf(a, r.Name), stateOf(b, r.Name)))
		}
	}
	return out
}

func deviationsBySig(r *report) map[string]*harness.Deviation {
	out := map[string]*harness.Deviation{}
	for _, d := range harness.Deviations(r.Scenarios) {
		out[d.Signature] = &d
	}
	return out
}

func signatureUnion(ms ...map[string]*harness.Deviation) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// stateOf says how scenario name fared in r: "pass", "skip: why", "not
// run" when r did not select it.
func stateOf(r *report, name string) string {
	for _, s := range r.Scenarios {
		if s.Name == name {
			if s.Reason != "" {
				return string(s.Verdict) + ": " + s.Reason
			}
			return string(s.Verdict)
		}
	}
	return "not run"
}

// cmdCompare compares two results files:
//
//	layercheck compare A.json B.json
//
// It exits 1 when a deviation appeared in B, so that a kernel's run can be
// gated on an older kernel's.
func cmdCompare(args []string, w io.Writer) (int, error) {
	if wantsHelp(args) {
		fmt.Fprintln(w, "usage: layercheck compare A.json B.json\n  the deviations that appeared, disappeared or changed from run A to run B (their --json); exit 1 if any appeared")
		return exitOK, nil
	}
	if len(args) != 2 {
		return 0, &harness.UsageError{Msg: "compare: give two results files (--json), A and B: what changed from A to B"}
	}
	a, err := readReport(args[0])
	if err != nil {
		return 0, &harness.UsageError{Msg: "compare: " + err.Error()}
	}
	b, err := readReport(args[1])
	if err != nil {
		return 0, &harness.UsageError{Msg: "compare: " + err.Error()}
	}
	c := compareReports(a, b)
	c.print(w, a, b, args[0], args[1])
	if len(c.appeared) > 0 {
		return exitFindings, nil
	}
	return exitOK, nil
}

func (c comparison) print(w io.Writer, a, b *report, na, nb string) {
	for _, s := range []struct {
		side, file string
		r          *report
	}{{"A", na, a}, {"B", nb, b}} {
		t := s.r.Target
		fmt.Fprintf(w, "%s: %s: %s (options %q) on %s, kernel %s, depth %d, %d scenarios\n", s.side, s.file, t.Backend, t.Options, t.FS, t.Kernel, t.Depth, len(s.r.Scenarios))
	}
	fmt.Fprintf(w, "\n%d appeared, %d disappeared, %d changed, %d the same\n", len(c.appeared), len(c.disappeared), len(c.changed), c.same)
	fmt.Fprintf(w, "%d scenarios with another verdict\n", len(c.verdicts))
	section(w, "Appeared (in B only)", c.appeared, func(x change) string {
		return fmt.Sprintf("in %d scenario(s); smallest %s (%d ops)%s; in A: %s", x.b.Scenarios, x.b.Smallest, x.b.Ops, reproOf(x.b), x.otherState)
	})
	section(w, "Disappeared (in A only)", c.disappeared, func(x change) string {
		return fmt.Sprintf("was in %d scenario(s); smallest %s (%d ops)%s; in B: %s", x.a.Scenarios, x.a.Smallest, x.a.Ops, reproOf(x.a), x.otherState)
	})
	section(w, "Changed (in both)", c.changed, func(x change) string {
		return fmt.Sprintf("scenarios %d -> %d; smallest %s -> %s%s", x.a.Scenarios, x.b.Scenarios, x.a.Smallest, x.b.Smallest, reproOf(x.b))
	})
	if len(c.verdicts) > 0 {
		fmt.Fprintf(w, "\nAnother verdict (A -> B):\n")
		for i, v := range c.verdicts {
			if i == 30 {
				fmt.Fprintf(w, "  and %d more (the JSON files hold them all)\n", len(c.verdicts)-i)
				break
			}
			fmt.Fprintf(w, "  %s\n", v)
		}
	}
}

func section(w io.Writer, title string, cs []change, detail func(change) string) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, x := range cs {
		fmt.Fprintf(w, "  %s\n    %s\n", x.sig, detail(x))
	}
}

func reproOf(d *harness.Deviation) string {
	if d.Repro == "" {
		return ""
	}
	return ", reproducer " + d.Repro
}
