package repro

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// TestCrashReproducerLoops: the reproducer of a crash that showed in 1 of
// 4 runs tries up to 12 times, says so, and stops at the first try that
// shows it (here the second: each try counts itself in a file); one of a
// deterministic failure stays a single try.
func TestCrashReproducerLoops(t *testing.T) {
	res := harness.Result{Name: "s", Verdict: harness.Fail,
		Findings: []snapshot.Finding{{Kind: snapshot.KindCrash, Field: "signal", Merged: "the daemon died\n(signal: aborted)"}},
		Repeats:  &harness.Repeats{Runs: 4, Verdicts: map[harness.Verdict]int{harness.Fail: 1, harness.Pass: 3}, Flaky: true, FirstFail: 3}}
	if took, tries := Tries(res); took != 4 || tries != 12 {
		t.Fatalf("Tries = %d, %d; want 4 runs per failure, 12 tries", took, tries)
	}
	count := filepath.Join(t.TempDir(), "n")
	one := "#!/bin/sh\n# layercheck reproducer: s\n# Run as root: sh THIS_FILE.\n" +
		`n=$(cat "$COUNT" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNT"` + "\n" +
		`if [ $n -ge 2 ]; then echo "reproduced"; exit 1; fi; echo "not reproduced"; exit 0` + "\n"
	script := withRetries(one, res)
	if !strings.Contains(script, "tries up to 12") || !strings.Contains(script, "in 1 of 4 runs here") {
		t.Errorf("the script does not say how many tries it took and makes:\n%s", script)
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), "COUNT="+count)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "reproduced on try 2 of 12") {
		t.Errorf("sh: %v; want exit 1 on try 2\n%s", err, out)
	}

	res.Findings[0].Kind, res.Repeats = snapshot.KindMode, nil
	if got := withRetries(one, res); got != one {
		t.Errorf("a deterministic failure's script was wrapped in a loop")
	}
}
