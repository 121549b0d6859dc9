package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/layercheck/layercheck/fuzz"
)

// isOpCell reports whether a coverage key is an op cell ("op @ place on
// type") rather than a pattern's or a check's count.
func isOpCell(k string) bool {
	return !strings.HasPrefix(k, "pattern ") && !strings.HasPrefix(k, "check ")
}

// printFuzzCoverage prints the patterns and checks the scenarios carried
// and the finding kinds and fields they produced, beside those the
// configuration cannot produce (fuzz/coverage.go).
func printFuzzCoverage(w io.Writer, rep *fuzz.Report) {
	var carried []string
	for k, n := range rep.Coverage {
		if !isOpCell(k) {
			carried = append(carried, fmt.Sprintf("%s %d", k, n))
		}
	}
	sort.Strings(carried)
	fmt.Fprintf(w, "Scenarios carrying: %s\n", strings.Join(carried, ", "))
	produced := rep.KindsProduced()
	var got, never, cannot []string
	for _, k := range fuzz.Kinds {
		switch {
		case produced[k] > 0:
			got = append(got, fmt.Sprintf("%s %d", k, produced[k]))
		case rep.Unreachable[k] != "":
			cannot = append(cannot, fmt.Sprintf("%s (%s)", k, rep.Unreachable[k]))
		default:
			never = append(never, string(k))
		}
	}
	fmt.Fprintf(w, "Finding kinds produced: %d of %d (%s); %d kind x field cells\n", len(got), len(fuzz.Kinds), strings.Join(got, ", "), len(rep.Produced))
	if len(never) > 0 {
		fmt.Fprintf(w, "  could produce, did not: %s\n", strings.Join(never, ", "))
	}
	for _, c := range cannot {
		fmt.Fprintf(w, "  cannot on this configuration: %s\n", c)
	}
}

// printOpCoverage prints the op cells hit: op kind x place x type.
func printOpCoverage(w io.Writer, rep *fuzz.Report) {
	kinds, places, types := map[string]bool{}, map[string]bool{}, map[string]bool{}
	cells := 0
	for k := range rep.Coverage {
		if !isOpCell(k) {
			continue
		}
		cells++
		var kind, place, typ string
		fmt.Sscanf(strings.NewReplacer(" @ ", " ", " on ", " ").Replace(k), "%s %s %s", &kind, &place, &typ)
		kinds[kind], places[place], types[typ] = true, true, true
	}
	fmt.Fprintf(w, "Coverage: %d cells of op kind x place x type hit (%d op kinds, places %s, types %s)\n",
		cells, len(kinds), keys(places), keys(types))
}
