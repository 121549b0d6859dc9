package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/repro"
)

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._=,-]+`)

// writeRepros writes a reproducer for every failing scenario into dir,
// records its path in the result, and writes dir/index.txt: one line per
// script with the scenario and its first unexpected finding.
func writeRepros(dir string, cfg harness.Config, r *report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
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
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			return err
		}
		res.Repro = path
		index = append(index, fmt.Sprintf("%s\t%s\t%s", name, res.Name, res.Unexpected()[0]))
	}
	idx := filepath.Join(dir, "index.txt")
	body := "# layercheck reproducers: script, scenario, first unexpected finding. Run each as root: sh SCRIPT (exit 1: reproduced).\n"
	if len(index) > 0 {
		body += strings.Join(index, "\n") + "\n"
	}
	r.repro = idx
	return os.WriteFile(idx, []byte(body), 0o644)
}
