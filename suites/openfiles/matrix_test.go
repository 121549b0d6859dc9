package openfiles

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/fsop"
)

// The matrix is generated: at least 1,000 opens, each of its own target,
// every combination distinct within its scenario.
func TestMatrixSize(t *testing.T) {
	if n := MatrixCases(); n < 1000 {
		t.Fatalf("the matrix makes %d opens, want at least 1000", n)
	}
	opens := 0
	for _, s := range Matrix() {
		seenFlags, seenPaths := map[int]bool{}, map[string]bool{}
		for _, op := range s.Steps[len(s.Steps)-1].Ops {
			o, ok := op.(fsop.Open)
			if !ok {
				continue
			}
			opens++
			if seenFlags[o.Flags] || seenPaths[o.Path] {
				t.Fatalf("%s: flags %#o or path %s twice", s.Name, o.Flags, o.Path)
			}
			seenFlags[o.Flags], seenPaths[o.Path] = true, true
			if o.Flags&unix.O_EXCL != 0 && o.Flags&unix.O_CREAT == 0 {
				t.Fatalf("%s: O_EXCL without O_CREAT", s.Name)
			}
		}
	}
	if opens != MatrixCases() {
		t.Fatalf("counted %d opens, MatrixCases says %d", opens, MatrixCases())
	}
}
