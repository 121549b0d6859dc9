package fuzz

import (
	"reflect"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// miniModel is the mini fixture's tree as the generator models it.
var miniModel = map[string]string{".": "dir", "etc": "dir", "etc/passwd": "file", "bin": "dir", "bin/tool": "file", "bin/tool2": "file",
	"home": "dir", "home/user": "dir", "home/user/d": "dir", "home/user/d/g": "file", "tmp": "dir", "tmp/u": "file", "lnk": "symlink"}

// TestPatternsComeEveryFewDozen: over 120 scenarios every pattern shows
// at least three times, times and the commit check both run, every
// scenario is in order, and scenario i is the same whenever it is made.
func TestPatternsComeEveryFewDozen(t *testing.T) {
	g := &Generator{Seed: 7, Depth: 3, Fixture: "mini", Base: miniModel}
	total := map[string]int{}
	for i := range 120 {
		s, cov := g.Scenario(i)
		if err := s.CheckOrder(); err != nil {
			t.Fatalf("scenario %d: %v", i, err)
		}
		again, _ := g.Scenario(i)
		if !reflect.DeepEqual(s, again) {
			t.Fatalf("scenario %d differs when made again", i)
		}
		for k, n := range cov {
			if !isOpCellKey(k) {
				total[k] += n
			}
		}
	}
	for _, p := range patternNames {
		if total["pattern "+p] < 3 {
			t.Errorf("pattern %s in %d of 120 scenarios: %v", p, total["pattern "+p], total)
		}
	}
	if total["check commit"] < 20 || total["check times noatime"] < 20 || total["check times strictatime"] < 3 {
		t.Errorf("checks carried: %v", total)
	}
}

func isOpCellKey(k string) bool {
	return !strings.HasPrefix(k, "pattern ") && !strings.HasPrefix(k, "check ")
}

// TestHeldFDCopiesUpElsewhere: the held-descriptor pattern opens a file,
// changes it by another name or descriptor while it is open, and uses
// the held descriptor after that.
func TestHeldFDCopiesUpElsewhere(t *testing.T) {
	found := 0
	for i := range 200 {
		p := &patGen{r: newRand(3, uint64(i)), depth: 3, base: miniModel, layers: map[int][]fsop.Op{}}
		p.heldFD()
		open, ok := p.runtime[0].(fsop.Open)
		if !ok || open.FD != "h" {
			t.Fatalf("pattern %d starts with %v", i, p.runtime[0])
		}
		other, after := false, false
		for _, op := range p.runtime[1:] {
			if usesFD(op) == "h" {
				after = after || other
				continue
			}
			if _, isFlock := op.(fsop.Flock); !isFlock {
				other = true
			}
		}
		if !other || !after {
			t.Fatalf("pattern %d: no change elsewhere followed by a use of the held descriptor: %v", i, p.runtime)
		}
		found++
	}
	if found == 0 {
		t.Fatal("no pattern made")
	}
}

// TestRunnableLeavesOutWhatCannotRun: ops the backend cannot run are left
// out of every scenario, so none of them skips for it.
func TestRunnableLeavesOutWhatCannotRun(t *testing.T) {
	g := &Generator{Seed: 1, Depth: 3, Fixture: "mini", Base: miniModel, Runnable: func(op fsop.Op) bool {
		_, x := op.(fsop.SetXattr)
		return !x
	}}
	for i := range 100 {
		s, _ := g.Scenario(i)
		for _, st := range s.Steps {
			for _, op := range st.Ops {
				if _, x := op.(fsop.SetXattr); x {
					t.Fatalf("scenario %d keeps %s", i, op.Shell())
				}
			}
		}
	}
}

// TestNoTimesWhereNoneCompare: a configuration that compares no times
// (the extract builder) gets no timed scenario, which would only skip.
func TestNoTimesWhereNoneCompare(t *testing.T) {
	g := &Generator{Seed: 1, Depth: 3, Fixture: "mini", Base: miniModel, NoTimes: true}
	for i := range 100 {
		if s, _ := g.Scenario(i); s.Times != "" {
			t.Fatalf("scenario %d compares times (%s)", i, s.Times)
		}
	}
}

// TestDirectoryTimesFileApart: a time finding on a directory and one on a
// file have one triage signature but are filed apart; an op beneath a
// path the base does not know makes it a directory too.
func TestDirectoryTimesFileApart(t *testing.T) {
	rememberBase("mini", miniModel)
	s := scenario.Scenario{Fixture: "mini", Steps: []scenario.Step{scenario.Runtime(fsop.Chmod{Path: "new/x", Mode: 0o600})}}
	res := resultOf(s)
	file := snapshot.Finding{Kind: snapshot.KindTime, Path: "etc/passwd", Field: "mtime"}
	dir, made := file, file
	dir.Path, made.Path = "etc", "new"
	if keyOf(res, file) != "time mtime" || keyOf(res, dir) != "time mtime"+dirSuffix || keyOf(res, made) != "time mtime"+dirSuffix {
		t.Fatalf("keys: %q, %q, %q", keyOf(res, file), keyOf(res, dir), keyOf(res, made))
	}
	mode := snapshot.Finding{Kind: snapshot.KindMode, Path: "etc", Field: "mode", Reference: "0755", Merged: "0700"}
	if keyOf(res, mode) != "mode" {
		t.Fatalf("a mode finding on a directory is filed as %q", keyOf(res, mode))
	}
}

// TestLighterTurnsChecksDown: shrinking tries no rebuild, then noatime
// for strictatime, then no times.
func TestLighterTurnsChecksDown(t *testing.T) {
	c := Candidate{Scenario: scenario.Scenario{Times: scenario.TimesStrictatime, Rebuild: true}}
	got := lighter(c)
	if len(got) != 2 || got[0].Scenario.Rebuild || got[1].Scenario.Times != scenario.TimesNoatime || !c.Scenario.Rebuild {
		t.Fatalf("lighter: %+v", got)
	}
	if got := lighter(got[1]); len(got) != 2 || got[1].Scenario.Times != "" {
		t.Fatalf("lighter of noatime: %+v", got)
	}
}
