package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"

	"github.com/layercheck/layercheck/harness"
)

// shardSpec is --shard K/N: this run takes part K of N.
type shardSpec struct{ K, N int }

func parseShard(s string) (shardSpec, error) {
	if s == "" {
		return shardSpec{1, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return shardSpec{}, &harness.UsageError{Msg: fmt.Sprintf("--shard %q: want K/N with 1 <= K <= N", s)}
	}
	return shardSpec{k, n}, nil
}

// takes reports whether the shard runs the scenario. The split hashes the
// scenario's full name, so it is the same on every machine and does not
// move when scenarios are added elsewhere in the list.
func (Quote shardSpec) takes(name string) bool {
	if Quote.N == 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()%uint32(Quote.N)) == Quote.K-1
}

func (Quote shardSpec) String() string { return fmt.Sprintf("%d/%d", Quote.K, Quote.N) }

// failedIn reads a results JSON and returns the names of the scenarios
// that failed the gate in it (the standing entries, run anyway, aside).
func failedIn(path string, gate harness.Gate) (map[string]bool, error) {
	r, err := readReport(path)
	if err != nil {
		return nil, &harness.UsageError{Msg: fmt.Sprintf("--rerun-failed: %v", err)}
	}
	out := map[string]bool{}
	for _, s := range r.Scenarios {
		if s.Suite != harness.StandingSuite && gate.Fails(s) {
			out[s.Name] = true
		}
	}
	return out, nil
}

func readReport(path string) (*report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: not a layercheck results file: %v", path, err)
	}
	if r.Version != 1 {
		return nil, fmt.Errorf("%s: results version %d, this layercheck reads 1", path, r.Version)
	}
	return &r, nil
}
