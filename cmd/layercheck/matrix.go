package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/layercheck/layercheck/fixtures"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/layout"
	"github.com/layercheck/layercheck/harness/sandbox"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// matrixTarget is one column of the matrix: a backend with options.
type matrixTarget struct {
	Label   string // as the user wrote it
	Backend backend.Backend
	// BuildWith builds the layers (a target RUNTIME<-BUILD), nil: Backend
	BuildWith backend.Backend
	Layout    layout.Name  // after '@' (layouts.go); samefs if none
	Err       string       // why the column could not run
	Plan      harness.Plan // the run of this column, checked
	Results   map[string]harness.Result
	Summary   summary
}

// cmdMatrix runs the suites against several backends and prints one table:
// scenarios (grouped by suite) by targets, a verdict per cell, in the
// terminal and, with --markdown FILE, as Markdown.
//
//	layercheck matrix --backends overlay,overlay:redirect_dir=on+index=on,fuse-overlayfs,unionfs-fuse --depth 5
//
// A target is NAME or NAME:OPTIONS with '+' for ',' in the options (an
// overlay profile name works too: overlay:metacopy); RUNTIME<-BUILD
// builds the layers through BUILD and mounts the runtime stack with
// RUNTIME (overlay<-fuse-overlayfs, see --build-with). Exit 1 when any cell
// fails or errors, as a run would; a target that cannot run here (not
// installed) is shown with the reason and does not change the exit code.
func cmdMatrix(args []string) (int, error) {
	m, err := parseMatrixFlags(args)
	if err != nil || m == nil {
		return exitOK, err
	}
	targets, scenarios, err := m.plan()
	if err != nil {
		return 0, err
	}
	if err := privateRun(); err != nil {
		return 0, err
	}
	ctx, stop := interruptible()
	defer stop()
	for _, t := range targets {
		if ctx.Err() != nil {
			t.Err = "interrupted"
			continue
		}
		if !m.quiet {
			fmt.Fprintf(os.Stderr, "== %s\n", t.Label)
		}
		t.run(ctx, m.run, scenarios, m.quiet)
	}
	tbl := newMatrixTable(scenarios, targets, m.run.gate)
	tbl.printText(os.Stdout, m.run.depth)
	if m.markdown != "" {
		var b strings.Builder
		tbl.printMarkdown(&b, m.run.depth)
		if err := os.WriteFile(m.markdown, []byte(b.String()), 0o644); err != nil {
			return 0, err
		}
	}
	if ctx.Err() != nil {
		return 130, nil
	}
	code := exitOK
	for _, t := range targets {
		if t.Summary.Failing > 0 {
			return exitFindings, nil
		}
		if why := nothingRan(t.resultList()); why != "" && t.Err == "" { // nothingran.go
			fmt.Printf("%s: %s\n", t.Label, why)
			code = exitNothingRan
		}
	}
	return code, nil
}

// matrixFlags are the flags of `layercheck matrix`; run holds those it
// shares with a run (the selection and the report's words).
type matrixFlags struct {
	run                         *runFlags
	backends, unmount, markdown string
	scratch, idmap              string
	jobs                        int
	timeout                     time.Duration
	quiet                       bool
}

func parseMatrixFlags(args []string) (*matrixFlags, error) {
	m := &matrixFlags{}
	fs := flag.NewFlagSet("layercheck matrix", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&m.backends, "backends", "overlay,overlay:redirect,fuse-overlayfs,unionfs-fuse", "comma-separated targets: NAME or NAME:OPT+OPT, or RUNTIME<-BUILD for layers built by another backend, each optionally @LAYOUT (an exec:TEMPLATE target must come last)")
	depth := fs.Int("depth", harness.DefaultDepth, "read-only layers under the upper (1 to 500)")
	suite := fs.String("suite", "", "comma-separated suites (default all)")
	focus := fs.String("focus", "", "only scenarios whose name or labels match")
	fs.IntVar(&m.jobs, "j", runtime.NumCPU(), "scenarios run in parallel (0: one per CPU)")
	fs.DurationVar(&m.timeout, "timeout", harness.DefaultTimeout, "time limit of one scenario (0: none)")
	fs.StringVar(&m.markdown, "markdown", "", "also write the table as Markdown to `FILE`")
	fs.StringVar(&m.scratch, "scratch", sandbox.DefaultScratch, "where runs make their directories")
	fs.BoolVar(&m.quiet, "quiet", false, "no progress lines")
	registerUnmount(fs, &m.unmount) // of the exec: target
	registerIdmap(fs, &m.idmap)     // idmap_flags.go: every target through the mapping
	if help, err := parseFlags(fs, args, "layercheck matrix [flags]"); help || err != nil {
		return nil, err
	}
	var err error
	m.run, err = parseRunFlags([]string{"--depth", strconv.Itoa(*depth), "--suite", *suite, "--focus", *focus})
	return m, err
}

// plan makes the targets, each with its checked plan, and the selection.
func (m *matrixFlags) plan() ([]*matrixTarget, []scenario.Scenario, error) {
	targets, err := parseTargets(m.backends, m.unmount)
	if err != nil {
		return nil, nil, err
	}
	timeout := m.timeout
	if timeout == 0 {
		timeout = harness.NoTimeout // --timeout 0: no limit
	}
	idmapSpec, err := parseIdmap(m.idmap)
	if err != nil {
		return nil, nil, err
	}
	each := harness.Plan{Depth: m.run.depth, ScratchBase: m.scratch, Timeout: timeout, Workers: m.jobs, Gate: m.run.gate,
		Idmap: idmapSpec}
	if err := planTargets(targets, each); err != nil {
		return nil, nil, err
	}
	scenarios, err := selectScenarios(m.run, targets[0].Plan.Depth)
	return targets, scenarios, err
}

// planTargets gives each target its plan: each, with the target's
// backends and layout, checked.
func planTargets(targets []*matrixTarget, each harness.Plan) error {
	for _, t := range targets {
		p := each
		p.Backend, p.BuildWith, p.Layout = t.Backend, t.BuildWith, t.Layout
		p.Bases = fixtures.BasesFor("", layout.MaxName(t.Layout)) // less what the layout cannot hold
		var err error
		if t.Plan, err = p.Check(); err != nil {
			return fmt.Errorf("--backends %s: %w", t.Label, err)
		}
	}
	return nil
}

// run runs the selection on the target's plan and keeps its results.
func (t *matrixTarget) run(ctx context.Context, f *runFlags, scenarios []scenario.Scenario, quiet bool) {
	start := time.Now()
	sess, err := harness.OpenSession(ctx, t.Plan)
	if err != nil {
		t.Err = err.Error()
		return
	}
	prog := newProgress(os.Stderr, quiet, t.Plan.Gate)
	out := sess.Run(ctx, scenarios, prog.update)
	prog.finish()
	t.Summary = newReport(sess, t.Backend, f, out.Results, time.Since(start)).Summary
	if cerr := sess.Close(); cerr != nil {
		t.Err = "cleanup: " + cerr.Error()
	}
	t.Results = map[string]harness.Result{}
	for _, r := range out.Results {
		t.Results[r.Name] = r
	}
}

// parseTargets splits the --backends list. Everything after "exec:" is
// one template (it may hold commas), so an exec target comes last; it
// takes unmount (--unmount) as its unmount template.
func parseTargets(list, unmount string) ([]*matrixTarget, error) {
	var items []string
	rest := list
	for rest != "" {
		if strings.HasPrefix(rest, "exec:") {
			items = append(items, rest)
			break
		}
		item, after, _ := strings.Cut(rest, ",")
		items = append(items, item)
		rest = after
	}
	var out []*matrixTarget
	for _, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		spec, lay := splitLayout(item)
		layoutName, err := parseLayout(lay, "--backends "+item)
		if err != nil {
			return nil, err
		}
		t, err := newMatrixTarget(spec, unmount) // matrix_buildwith.go
		if err != nil {
			return nil, fmt.Errorf("--backends %s: %w", item, err)
		}
		t.Label, t.Layout = item, layoutName
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, &harness.UsageError{Msg: "--backends: no target"}
	}
	return out, nil
}

// matrixTable is the verdicts laid out: rows are scenarios grouped by
// suite, the standing entries first, columns targets; every cell net of
// the standing entry, upper case where the gate fails.
type matrixTable struct {
	suites  []string
	rows    map[string][]string // suite -> scenario names, in run order
	targets []*matrixTarget
	gate    harness.Gate
}

func newMatrixTable(scenarios []scenario.Scenario, targets []*matrixTarget, gate harness.Gate) *matrixTable {
	t := &matrixTable{rows: map[string][]string{}, targets: targets, gate: gate}
	for _, s := range scenarios {
		fx := harness.StandingSuite + "/" + s.FixtureName()
		if !slices.Contains(t.rows[harness.StandingSuite], fx) {
			if len(t.suites) == 0 {
				t.suites = append(t.suites, harness.StandingSuite)
			}
			t.rows[harness.StandingSuite] = append(t.rows[harness.StandingSuite], fx)
		}
	}
	for _, s := range scenarios {
		if _, ok := t.rows[s.Suite]; !ok {
			t.suites = append(t.suites, s.Suite)
		}
		t.rows[s.Suite] = append(t.rows[s.Suite], s.FullName())
	}
	return t
}

// cell is the verdict of scenario name on target t.
func (m *matrixTable) cell(t *matrixTarget, name string) string {
	if t.Results == nil {
		return "n/a"
	}
	r, ok := t.Results[name]
	if !ok {
		return "-"
	}
	return verdictWord(m.gate, r)
}

func (m *matrixTable) header() []string {
	h := []string{"scenario"}
	for _, t := range m.targets {
		h = append(h, t.Label)
	}
	return h
}

func (m *matrixTable) totals(t *matrixTarget) string {
	if t.Results == nil {
		return "n/a"
	}
	s := t.Summary
	return fmt.Sprintf("%d pass, %d fail, %d xfail, %d xpass, %d skip, %d error", s.Pass, s.Fail, s.XFail, s.XPass, s.Skip, s.Error)
}

// printText prints the table with aligned columns.
func (m *matrixTable) printText(w io.Writer, depth int) {
	var rows [][]string
	rows = append(rows, m.header())
	for _, s := range m.suites {
		rows = append(rows, append([]string{"[" + s + "]"}, make([]string, len(m.targets))...))
		for _, name := range m.rows[s] {
			row := []string{"  " + strings.TrimPrefix(name, s+"/")}
			for _, t := range m.targets {
				row = append(row, m.cell(t, name))
			}
			rows = append(rows, row)
		}
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	fmt.Fprintf(w, "layercheck matrix, depth %d, kernel %s\n\n", depth, kernelRelease())
	for i, r := range rows {
		for j, c := range r {
			if j == len(r)-1 {
				fmt.Fprintln(w, c)
			} else {
				fmt.Fprintf(w, "%-*s  ", widths[j], c)
			}
		}
		if i == 0 {
			total := len(rows[0]) * 2
			for _, x := range widths {
				total += x
			}
			fmt.Fprintln(w, strings.Repeat("-", total-2))
		}
	}
	fmt.Fprintln(w)
	m.printNotes(w, func(label, text string) { fmt.Fprintf(w, "%s: %s\n", label, text) })
}

// printMarkdown prints the same table as GitHub-flavoured Markdown.
func (m *matrixTable) printMarkdown(w io.Writer, depth int) {
	fmt.Fprintf(w, "# layercheck matrix (depth %d, kernel %s)\n\n", depth, kernelRelease())
	h := m.header()
	for i := range h {
		h[i] = mdEscape(h[i])
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(h, " | "), strings.Repeat(" --- |", len(h)))
	for _, s := range m.suites {
		fmt.Fprintf(w, "| **%s** |%s\n", s, strings.Repeat(" |", len(m.targets)))
		for _, name := range m.rows[s] {
			cells := []string{mdEscape(strings.TrimPrefix(name, s+"/"))}
			for _, t := range m.targets {
				c := m.cell(t, name)
				if c == "FAIL" || c == "ERROR" || c == "XPASS" {
					c = "**" + c + "**"
				}
				cells = append(cells, c)
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		}
	}
	fmt.Fprintln(w)
	m.printNotes(w, func(label, text string) { fmt.Fprintf(w, "- `%s`: %s\n", label, mdEscape(text)) })
}

// printNotes gives each target's totals, or why it did not run, and the
// citations of the expectations that turned cells into xfail.
func (m *matrixTable) printNotes(w io.Writer, note func(label, text string)) {
	for _, t := range m.targets {
		if t.Err != "" {
			note(t.Label, "not run: "+t.Err)
			continue
		}
		note(t.Label, m.totals(t))
	}
	// Errors are the harness's or the backend's (a daemon that died or
	// hung): each with its reason.
	for _, t := range m.targets {
		names := make([]string, 0, len(t.Results))
		for n, r := range t.Results {
			if r.Verdict == harness.Error {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			note(t.Label+" ERROR "+n, firstLine(t.Results[n].Reason))
		}
	}
	cites := map[string]string{}
	for _, t := range m.targets {
		for _, r := range t.Results {
			for _, f := range r.Findings {
				if f.Expected() && f.Kind != snapshot.KindAccess {
					cites[t.Label+" "+f.Expectation] = f.ExpectedBy
				}
			}
		}
	}
	keys := make([]string, 0, len(cites))
	for k := range cites {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		fmt.Fprintln(w, "\nDocumented deviations seen (they make a cell xfail when nothing else differs):")
		for _, k := range keys {
			note(k, cites[k])
		}
	}
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
