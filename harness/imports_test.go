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
	{name: "the engine imports no concrete backend nor the registry",
		from: func(p string) bool { return p == "harness" },
		bad:  func(d string) bool { return pkgUnder(d, "harness/backend") && d != "harness/backend" },
		// The suites name overlay's expectation IDs; TestBackend runs
		// them, but the engine's own code names no backend.
		skip: func(d string) bool { return d == "suites" || pkgUnder(d, "suites") }},
	{name: "fsop imports no other layercheck package but kernfeat",
		from: func(p string) bool { return p == "harness/fsop" },
		bad:  func(d string) bool { return d != "harness/kernfeat" }, skip: never},
	{name: "kernfeat imports no other layercheck package",
		from: func(p string) bool { return p == "harness/kernfeat" },
		bad:  func(string) bool { return true }, skip: never},
	{name: "snapshot imports only fsop",
		from: func(p string) bool { return p == "harness/snapshot" },
		bad:  func(d string) bool { return d != "harness/fsop" && d != "harness/kernfeat" }, skip: never},
	{name: "scenario imports only fsop and snapshot",
		from: func(p string) bool { return p == "harness/scenario" },
		bad: func(d string) bool {
			return d != "harness/fsop" && d != "harness/snapshot" && d != "harness/kernfeat"
		}, skip: never},
	{name: "fixtures and suites do not import the engine",
		from: func(p string) bool {
			return (p == "fixtures" || pkgUnder(p, "fixtures") || p == "suites" || pkgUnder(p, "suites")) && p != "suites/spec"
		},
		bad: func(d string) bool { return d == "harness" }, skip: never},
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

// TestImportRulesCatchWrongImports: each rule fails on a graph with one
// wrong import added (most would not even compile in the real module:
// they make a cycle, which the compiler reports first).
func TestImportRulesCatchWrongImports(t *testing.T) {
	base := func() importGraph {
		m := func(p string) string { return module + "/" + p }
		return importGraph{
			m("harness"):                  {m("harness/backend"), m("harness/scenario"), m("suites")},
			m("suites"):                   {m("suites/permissions")},
			m("suites/permissions"):       {m("harness/backend/overlay"), m("harness/scenario")},
			m("fixtures"):                 {m("harness/scenario")},
			m("harness/backend"):          {m("harness/scenario")},
			m("harness/backend/overlay"):  {m("harness/backend")},
			m("harness/backend/registry"): {m("harness/backend/overlay")},
			m("harness/scenario"):         {m("harness/snapshot"), m("harness/fsop")},
			m("harness/snapshot"):         {m("harness/fsop")},
			m("harness/fsop"):             {m("harness/kernfeat")},
			m("harness/kernfeat"):         nil,
		}
	}
	if v := base().violations(); len(v) > 0 {
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
	}
	for _, w := range wrong {
		g := base()
		g[module+"/"+w[0]] = append(g[module+"/"+w[0]], module+"/"+w[1])
		if len(g.violations()) == 0 {
			t.Errorf("no rule caught %s importing %s", w[0], w[1])
		}
	}
}
