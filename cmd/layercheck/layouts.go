package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/layout"
)

// layoutNames lists the layouts for the flag's help.
func layoutNames() string {
	var out []string
	for _, n := range layout.Names() {
		out = append(out, string(n))
	}
	return strings.Join(out, ", ")
}

// parseLayout checks --layout (or a matrix target's @LAYOUT); "" is samefs.
func parseLayout(s, where string) (layout.Name, error) {
	if s == "" {
		return layout.SameFS, nil
	}
	n, err := layout.Parse(s)
	if err != nil {
		return "", &harness.UsageError{Msg: where + ": " + err.Error()}
	}
	return n, nil
}

// splitLayout cuts a matrix target NAME[:OPTIONS][@LAYOUT] into the
// backend part and the layout (an exec: template keeps every '@').
func splitLayout(item string) (string, string) {
	if strings.HasPrefix(item, "exec:") {
		return item, ""
	}
	if i := strings.LastIndex(item, "@"); i >= 0 {
		return item[:i], item[i+1:]
	}
	return item, ""
}

// printLayouts says which storage layouts this machine can run, and why
// not the others (layout.Available; nfs may load kernel modules).
func printLayouts(w io.Writer) {
	fmt.Fprintf(w, "layouts (--layout; a matrix target takes @LAYOUT, e.g. overlay:xino=auto@perlayer)\n")
	for _, n := range layout.Names() {
		if why := layout.Available(n); why != "" {
			fmt.Fprintf(w, "  %-9s no: %s\n", n, why)
		} else {
			fmt.Fprintf(w, "  %-9s yes\n", n)
		}
	}
	fmt.Fprintln(w)
}
