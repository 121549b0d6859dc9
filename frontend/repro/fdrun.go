package repro

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// Descriptor ops (fsop.Open, ReadFD, ...) name descriptors that live as
// long as the process that opened them, so a phase that holds any is
// replayed as one perl program (fsop.PerlProgram: descriptor ops as perl
// statements, every other op through sh -c), run once in the merged view
// and once in the reference by both_perl, which compares what each op
// printed (its outcome, what a read saw) line by line. A shell of its own
// (bash's exec {fd}<>) could not open with O_TMPFILE, O_PATH or
// O_NOFOLLOW, map, lock by byte range or run as another user per op;
// perl-base, essential on Debian, can, through syscall(2).

// bothPerlShell defines both_perl in the script's header.
const bothPerlShell = `# both_perl: a perl program of descriptor ops on stdin, run in the merged
# view and in the reference; report every op whose outcome differs.
both_perl() {
	cat > "$S/ops.pl"
	(cd m && perl "$S/ops.pl") > "$S/m.out" 2>&1
	(cd ref && perl "$S/ops.pl") > "$S/ref.out" 2>&1
	if cmp -s "$S/m.out" "$S/ref.out"; then
		echo "same      $(wc -l < "$S/m.out") ops of the perl program ($1)"
	else
		echo "DEVIATION in the perl program ($1), op by op (see the # N comments):"
		paste -d '\t' "$S/ref.out" "$S/m.out" | awk -F '\t' '$1 != $2 { print "          op " NR ": reference " $1 ", merged " $2 }'
		fail=1
	fi
}
`

// phaseOps are the ops of the steps of a phase (a layer, or the runtime),
// in order.
func phaseOps(s scenario.Scenario, phase scenario.Phase, layer int) []fsop.Op {
	var ops []fsop.Op
	for _, st := range s.Steps {
		if st.Phase == phase && (phase == scenario.PhaseRuntime || st.Layer == layer) {
			ops = append(ops, st.Ops...)
		}
	}
	return ops
}

// replay writes the replay of a phase's records: op by op (both), or, when
// the phase holds a descriptor op, as one perl program.
func (w *scriptWriter) replay(what string, recs []harness.OpRecord, ops []fsop.Op) {
	if !holdsDescriptors(ops) || len(ops) != len(recs) {
		for _, rec := range recs {
			w.op(rec)
		}
		return
	}
	prog := fsop.PerlProgram(ops)
	lines := strings.Split(strings.TrimSuffix(prog, "\n"), "\n")
	first := len(lines) - len(ops) - 1 // the ops' lines, after the prelude
	for i := range ops {
		lines[first+i] += fmt.Sprintf(" # %d", i+1)
	}
	w.printf("both_perl %s <<'LAYERCHECK_PERL'\n%s\nLAYERCHECK_PERL\n", fsop.Quote(what), strings.Join(lines, "\n"))
}

// holdsDescriptors reports whether ops hold a descriptor op.
func holdsDescriptors(ops []fsop.Op) bool {
	for _, op := range ops {
		if fsop.HoldsDescriptor(op) {
			return true
		}
	}
	return false
}

// drain takes every record of a phase.
func drain(next func(string) (harness.OpRecord, bool), phase string) []harness.OpRecord {
	var recs []harness.OpRecord
	for rec, ok := next(phase); ok; rec, ok = next(phase) {
		recs = append(recs, rec)
	}
	return recs
}
