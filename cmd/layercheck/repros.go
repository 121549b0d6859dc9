package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/layercheck/layercheck/frontend/repro"
	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/sandbox"
)

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._=,-]+`)

// writeRepros writes a reproducer for every failing scenario into dir,
// records its path in the result, and writes dir/index.txt: one line per
// script with the scenario and its first unexpected finding.
//
// A rootless run writes them where its parent copies them from into dir
// (sandbox.RootlessOutput), and records the paths they will have there.
func writeRepros(dir string, cfg harness.Config, r *report) error {
	out := sandbox.RootlessOutput(dir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return &harness.UsageError{Msg: fmt.Sprintf("--repro-dir: %v", err)}
	}
	var index []string
	for i := range r.Scenarios {
		res := &r.Scenarios[i]
		if res.Verdict != harness.Fail {
			continue
		}
		script, err := repro.Repro(cfg, *res)
		if err != nil {
			index = append(index, fmt.Sprintf("%s\t(no reproducer: %v)", res.Name, err))
			continue
		}
		name := unsafeName.ReplaceAllString(strings.ReplaceAll(res.Name, "/", "__"), "_") + ".sh"
		if err := os.WriteFile(filepath.Join(out, name), []byte(script), 0o755); err != nil {
			return err
		}
		res.Repro = filepath.Join(dir, name)
		index = append(index, fmt.Sprintf("%s\t%s\t%s", name, res.Name, res.Unexpected()[0]))
	}
	idx := filepath.Join(out, "index.txt")
	body := "# layercheck reproducers: script, scenario, first unexpected finding. Run each as root: sh SCRIPT (exit 1: reproduced).\n"
	if len(index) > 0 {
		body += strings.Join(index, "\n") + "\n"
	}
	r.repro = filepath.Join(dir, "index.txt")
	return os.WriteFile(idx, []byte(body), 0o644)
}
