package repro

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// A crash or a flaky result shows one time in N: a script that replays it
// once would often say "not reproduced" about a real bug. Such a script
// replays the scenario in a loop, each try in a fresh directory, and
// stops at the first try that shows it.

// MinTries is the fewest tries a looping reproducer makes.
const MinTries = 3

// MaxTries bounds them, so that a script always ends.
const MaxTries = 200

// Tries says how many runs it took here for the result to fail once (1
// for a single run; Runs/failures of a repeated one, rounded up) and how
// many tries its reproducer makes: 1 for a result that is neither a crash
// nor flaky, else three times what it took, at least MinTries.
func Tries(res harness.Result) (took, tries int) {
	took = 1
	if r := res.Repeats; r != nil && r.Failures() > 0 {
		took = (r.Runs + r.Failures() - 1) / r.Failures()
		took = max(took, r.FirstFail)
	}
	if !hasCrash(res) && (res.Repeats == nil || !res.Repeats.Flaky) {
		return took, 1
	}
	return took, min(max(3*took, MinTries), MaxTries)
}

func hasCrash(res harness.Result) bool {
	for _, f := range res.Unexpected() {
		if f.Kind == snapshot.KindCrash {
			return true
		}
	}
	return false
}

// tryDelimiter ends the here-document that holds one try; no line of a
// script is ever this.
const tryDelimiter = "LAYERCHECK_ONE_TRY"

// withRetries wraps a one-try script in a loop of tries: exit 1 on the
// first try that reproduces, 2 if a try could not set up, 0 if none did.
func withRetries(script string, res harness.Result) string {
	took, tries := Tries(res)
	if tries <= 1 {
		return script
	}
	head, _, _ := strings.Cut(script, "# Run as root")
	var b strings.Builder
	b.WriteString(head)
	seen := "in the one run made here (a crash may show one time in N)"
	if r := res.Repeats; r != nil {
		seen = fmt.Sprintf("in %d of %d runs here (first on run %d): about one try in %d", r.Failures(), r.Runs, r.FirstFail, took)
	}
	fmt.Fprintf(&b, `# It showed %s. This script tries up to %d
# times, each in a fresh directory, and stops at the first that shows it.
# Run as root: sh THIS_FILE. Exit 1: reproduced; 0: not in %d tries;
# 2: could not set up.
tries=%d
i=1
while [ "$i" -le "$tries" ]; do
	echo "--- try $i of $tries"
	sh -s <<'%s'
%s
%s
	st=$?
	if [ "$st" -eq 1 ]; then echo "reproduced on try $i of $tries (it took %d here)"; exit 1; fi
	if [ "$st" -ne 0 ]; then echo "try $i could not set up (status $st)"; exit 2; fi
	i=$((i+1))
done
echo "not reproduced in $tries tries"; exit 0
`, seen, tries, tries, tries, tryDelimiter, strings.TrimRight(script, "\n"), tryDelimiter, took)
	return b.String()
}
