package harness

import (
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/layercheck/layercheck"

// importGraph is the module's packages and what each imports directly
// (test files left out), as `go list -deps` reports them.
type importGraph map[string][]string

func readImportGraph(t *testing.T) importGraph {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = "/usr/local/go/bin/go" // where the project's set-up puts it
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	g := importGraph{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !inModule(f[0]) {
			continue
		}
		for _, imp := range f[1:] {
			if inModule(imp) {
				g[f[0]] = append(g[f[0]], imp)
			}
		}
		if _, ok := g[f[0]]; !ok {
			g[f[0]] = nil
		}
	}
	return g
}

func inModule(p string) bool { return p == module || strings.HasPrefix(p, module+"/") }

// reach lists the module packages that from imports, directly or not,
// without going through a package that skip names.
func (g importGraph) reach(from string, skip func(string) bool) []string {
	seen := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		for _, imp := range g[p] {
			if seen[imp] {
				continue
			}
			seen[imp] = true
			if !skip(imp) {
				walk(imp)
			}
		}
	}
	walk(from)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, strings.TrimPrefix(p, module+"/"))
	}
	sort.Strings(out)
	return out
}

func never(string) bool { return false }

// importRule is one rule of the package graph (see the package doc):
// what packages may not reach, directly or through others.
type importRule struct {
	name string
	from func(p string) bool   // the packages the rule is about (relative to the module)
	bad  func(dep string) bool // a dependency they may not have
	skip func(dep string) bool // dependencies not followed further
}

var importRules = []importRule{
	{name: "backends import neither the engine nor the registry",
		from: func(p string) bool { return pkgUnder(p, "harness/backend") },
		bad:  func(d string) bool { return d == "harness" || d == "harness/backend/registry" },
		skip: never},
	{name: "no backend imports another backend (what they share is a package of its own, such as ovlformat)",
		from: isConcreteBackend,
		bad:  isConcreteBackend,
		skip: never},
	{name: "the contract imports only what a driver reads: ops, findings, scenarios, and the general errors",
		from: func(p string) bool { return p == "harness/backend" },
		bad: func(d string) bool {
			return d != "harness/fsop" && d != "harness/snapshot" && d != "harness/scenario" && d != "harness/errs" && d != "harness/kernfeat"
		},
		skip: never},
	{name: "errs imports nothing",
		from: func(p string) bool { return p == "harness/errs" },
		bad:  func(string) bool { return true }, skip: never},
	{name: "the shared overlay format imports no backend",
		from: func(p string) bool { return p == "harness/ovlformat" },
		bad:  isConcreteBackend, skip: never},
	{name: "fixtures do not import the backend contract (their errors are in errs)",
		from: func(p string) bool { return p == "fixtures" || pkgUnder(p, "fixtures") },
		bad:  func(d string) bool { return d == "harness/backend" }, skip: never},
	{name: "sandbox does not import the backend contract itself (its errors are in errs)",
		from: func(p string) bool { return p == "harness/sandbox" },
		bad:  func(d string) bool { return d == "harness/backend" },
		skip: func(string) bool { return true }}, // direct imports: its daemon records come from internal/daemon
	{name: "the engine imports no concrete backend nor the registry",
		from: func(p string) bool { return p == "harness" },
		bad:  func(d string) bool { return pkgUnder(d, "harness/backend") },
		skip: never},
	{name: "harness and everything beneath it import nothing above it (suites, fixtures, front ends)",
		from: func(p string) bool { return p == "harness" || pkgUnder(p, "harness") },
		bad:  func(d string) bool { return d != "harness" && !pkgUnder(d, "harness") },
		skip: never},
	{name: "nothing beneath harness imports the engine",
		from: func(p string) bool { return pkgUnder(p, "harness") },
		bad:  func(d string) bool { return d == "harness" },
		skip: never},
	{name: "fsop imports no other layercheck package but kernfeat",
		from: func(p string) bool { return p == "harness/fsop" },
		bad:  func(d string) bool { return d != "harness/kernfeat" }, skip: never},
	{name: "kernfeat imports no other layercheck package",
		from: func(p string) bool { return p == "harness/kernfeat" },
		bad:  func(string) bool { return true }, skip: never},
	{name: "snapshot imports only fsop (and kernfeat through it)",
		from: func(p string) bool { return p == "harness/snapshot" },
		bad:  func(d string) bool { return d != "harness/fsop" && d != "harness/kernfeat" }, skip: never},
	{name: "scenario imports only fsop and snapshot (and kernfeat through them)",
		from: func(p string) bool { return p == "harness/scenario" },
		bad: func(d string) bool {
			return d != "harness/fsop" && d != "harness/snapshot" && d != "harness/kernfeat"
		}, skip: never},
	{name: "deviation imports nothing",
		from: func(p string) bool { return p == "harness/deviation" },
		bad:  func(string) bool { return true }, skip: never},
	{name: "fixtures and suites import neither the engine, nor a backend, nor a front end",
		from: isScenarioData,
		bad: func(d string) bool {
			return d == "harness" || pkgUnder(d, "harness/backend") || d == "frontend" || pkgUnder(d, "frontend") || pkgUnder(d, "cmd")
		},
		skip: never},
}

// isConcreteBackend: one backend's package (not the contract, not the
// registry, which names them all).
func isConcreteBackend(p string) bool {
	return pkgUnder(p, "harness/backend") && p != "harness/backend/registry"
}

// isScenarioData: the suites and the fixtures, data the engine runs.
func isScenarioData(p string) bool {
	return p == "fixtures" || pkgUnder(p, "fixtures") || p == "suites" || pkgUnder(p, "suites")
}

// pkgUnder reports whether p is a package beneath dir.
func pkgUnder(p, dir string) bool { return strings.HasPrefix(p, dir+"/") }

// violations lists what breaks a rule in g, and the rules that are about
// no package of g.
func (g importGraph) violations() []string {
	var out []string
	for _, rule := range importRules {
		matched := 0
		for p := range g {
			rel := strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
			if !rule.from(rel) {
				continue
			}
			matched++
			for _, d := range g.reach(p, func(d string) bool { return rule.skip(strings.TrimPrefix(d, module+"/")) }) {
				if rule.bad(d) {
					out = append(out, fmt.Sprintf("%s: %s imports %s", rule.name, rel, d))
				}
			}
		}
		if matched == 0 {
			out = append(out, rule.name+": no package of the module is what the rule is about")
		}
	}
	sort.Strings(out)
	return out
}

// TestImportDirection: the package graph points one way (harness/doc.go).
// `go list -deps` reads the imports of every package of the module (test
// files left out), and each rule checks what a package reaches.
func TestImportDirection(t *testing.T) {
	g := readImportGraph(t)
	if len(g) < 10 {
		t.Fatalf("go list found %d packages of the module: not the module", len(g))
	}
	for _, v := range g.violations() {
		t.Error(v)
	}
}

// cleanImportGraph is a small graph of the project's packages that keeps
// every import rule, for TestImportRulesCatchWrongImports to break.
func cleanImportGraph() importGraph {
	m := func(p string) string { return module + "/" + p }
	return importGraph{
		m("frontend/driver"):          {m("harness"), m("suites"), m("fixtures")},
		m("harness"):                  {m("harness/backend"), m("harness/scenario")},
		m("suites"):                   {m("suites/permissions")},
		m("suites/permissions"):       {m("harness/deviation"), m("harness/scenario")},
		m("fixtures"):                 {m("harness/scenario"), m("harness/errs")},
		m("harness/backend"):          {m("harness/scenario"), m("harness/errs")},
		m("harness/backend/overlay"):  {m("harness/backend"), m("harness/deviation"), m("harness/ovlformat")},
		m("harness/backend/control"):  {m("harness/backend"), m("harness/ovlformat")},
		m("harness/ovlformat"):        {m("harness/backend")},
		m("harness/errs"):             nil,
		m("harness/sandbox"):          {m("harness/errs"), m("harness/internal/daemon")},
		m("harness/internal/daemon"):  {m("harness/backend")},
		m("harness/backend/registry"): {m("harness/backend/overlay"), m("harness/backend/control")},
		m("harness/deviation"):        nil,
		m("harness/scenario"):         {m("harness/snapshot"), m("harness/fsop")},
		m("harness/snapshot"):         {m("harness/fsop")},
		m("harness/fsop"):             {m("harness/kernfeat")},
		m("harness/kernfeat"):         nil,
	}
}

// TestImportRulesCatchWrongImports: each rule fails on a graph with one
// wrong import added (most would not even compile in the real module:
// they make a cycle, which the compiler reports first).
func TestImportRulesCatchWrongImports(t *testing.T) {
	if v := cleanImportGraph().violations(); len(v) > 0 {
		t.Fatalf("the clean graph breaks rules: %v", v)
	}
	wrong := [][2]string{
		{"harness/backend/overlay", "harness"},
		{"harness/backend/overlay", "harness/backend/registry"},
		{"harness", "harness/backend/overlay"},
		{"harness", "harness/backend/registry"},
		{"harness/fsop", "harness/snapshot"},
		{"harness/kernfeat", "harness/fsop"},
		{"harness/snapshot", "harness/scenario"},
		{"harness/scenario", "harness/backend"},
		{"fixtures", "harness"},
		{"suites/permissions", "harness"},
		{"suites/permissions", "harness/backend/overlay"},
		{"fixtures", "harness/backend/control"},
		{"suites", "frontend/driver"},
		{"harness", "suites"},
		{"harness", "fixtures"},
		{"harness", "frontend/driver"},
		{"harness/scenario", "harness"},
		{"harness/deviation", "harness/fsop"},
		{"harness/snapshot", "suites/permissions"},
		{"harness/backend/control", "harness/backend/overlay"},
		{"harness/backend", "harness/layout"},
		{"harness/backend", "harness/commit"},
		{"harness/errs", "harness/fsop"},
		{"harness/ovlformat", "harness/backend/overlay"},
		{"fixtures", "harness/backend"},
		{"harness/sandbox", "harness/backend"},
	}
	for _, w := range wrong {
		g := cleanImportGraph()
		g[module+"/"+w[0]] = append(g[module+"/"+w[0]], module+"/"+w[1])
		if len(g.violations()) == 0 {
			t.Errorf("no rule caught %s importing %s", w[0], w[1])
		}
	}
}
