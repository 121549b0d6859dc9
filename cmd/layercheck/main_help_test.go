package main

import (
	"os"
	"strings"
	"testing"
)

// Every command answers -h and --help with its usage on stdout and exit
// 0, never with an error or by acting on "--help" as a file or a flag.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, cmd := range []string{"run", "fuzz", "replay", "matrix", "baseline", "bench", "vm", "merge", "cleanup", "compare", "export", "backends"} {
		for _, h := range []string{"-h", "--help"} {
			out, code := captureStdout(t, func() int { return realMain([]string{cmd, h}) })
			if code != exitOK || !strings.HasPrefix(out, "usage: layercheck") {
				t.Errorf("layercheck %s %s: exit %d, stdout %q; want usage and exit 0", cmd, h, code, firstLine(out))
			}
		}
	}
}

func captureStdout(t *testing.T, f func() int) (string, int) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				done <- b.String()
				return
			}
		}
	}()
	code := f()
	os.Stdout = saved
	w.Close()
	out := <-done
	r.Close()
	return out, code
}

// A flag's argument is named in the help by a word, not by its whole
// description (the flag package prints what is between backquotes as the
// name).
func TestHelpNamesFlagArguments(t *testing.T) {
	out, _ := captureStdout(t, func() int { return realMain([]string{"run", "--help"}) })
	if !strings.Contains(out, "  -idmap LAYERS[:MAP]\n") {
		t.Errorf("run --help names --idmap's argument otherwise:\n%s", out)
	}
}
