package triage

import (
	"bufio"
	"io"
	"sort"
	"strings"
)

// Baseline is the set of deviations an earlier run showed, by signature:
// what a regression gate compares a run with. Its file form is one
// signature a line, with # comment lines (where and when it was recorded)
// that carry no meaning.
type Baseline struct {
	Comment    []string // the comment lines, without "# "
	Signatures map[string]bool
}

// NewBaseline is the baseline of the given signatures.
func NewBaseline(sigs []string, comment ...string) *Baseline {
	b := &Baseline{Comment: comment, Signatures: map[string]bool{}}
	for _, s := range sigs {
		b.Signatures[s] = true
	}
	return b
}

// Has reports whether the baseline holds sig.
func (b *Baseline) Has(sig string) bool { return b.Signatures[sig] }

// Sorted lists the signatures in order.
func (b *Baseline) Sorted() []string {
	out := make([]string, 0, len(b.Signatures))
	for s := range b.Signatures {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// ReadBaseline reads the file form: blank lines and # comments aside,
// every line is a signature.
func ReadBaseline(r io.Reader) (*Baseline, error) {
	b := &Baseline{Signatures: map[string]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			b.Comment = append(b.Comment, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		default:
			b.Signatures[line] = true
		}
	}
	return b, sc.Err()
}

// WriteTo writes the file form: the comment, then the signatures sorted.
func (b *Baseline) WriteTo(w io.Writer) (int64, error) {
	var sb strings.Builder
	for _, c := range b.Comment {
		sb.WriteString("# " + c + "\n")
	}
	for _, s := range b.Sorted() {
		sb.WriteString(s + "\n")
	}
	n, err := io.WriteString(w, sb.String())
	return int64(n), err
}
