package main

import (
	"reflect"
	"testing"
)

// TestReferenceOfWhatOpsReachIsTheWholeCopy: the suites come to the same
// verdicts and the same findings, field by field, whether every
// scenario's reference copies what its ops can reach, spliced into the
// base's snapshot (the default), or the whole base (--full-reference),
// on the rootfs fixture and on a real tree as --base.
func TestReferenceOfWhatOpsReachIsTheWholeCopy(t *testing.T) {
	RequireRoot(t)
	if testing.Short() {
		t.Skip("runs the suites four times")
	}
	tree := realTree(t)
	for _, base := range [][]string{nil, {"--base", tree}} {
		fast, full := suiteResults(t, base...), suiteResults(t, append(base, "--full-reference")...)
		if len(fast) != len(full) {
			t.Fatalf("%v: %d scenarios, %d with --full-reference", base, len(fast), len(full))
		}
		for name, r := range fast {
			if f := full[name]; !reflect.DeepEqual(r, f) {
				t.Errorf("%v %s:\n  spliced: %+v\n  full:    %+v", base, name, r, f)
			}
		}
	}
}
