package repro

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/fsop"
)

// checkRepro is the reproducer of a scenario that is its own procedure
// (scenario.Check, the modern suite): its mounts go through fsopen(2) and
// fsconfig(2), which sh cannot call (mount(8) uses them only from
// util-linux 2.39), and the check's code is the exact procedure. So the
// script runs that one scenario again through the layercheck binary that
// wrote it ($LAYERCHECK overrides), printing its findings, and exits 1
// when it fails again, 0 when it passes, 2 when it cannot run.
func checkRepro(res harness.Result) string {
	self, err := os.Executable()
	if err != nil {
		self = "layercheck"
	}
	var w strings.Builder
	fmt.Fprintf(&w, "#!/bin/sh\n# layercheck reproducer: %s\n# Run as root: sh THIS_FILE.\n", res.Name)
	fmt.Fprintf(&w, "# What must hold: %s\n", strings.ReplaceAll(res.Scenario.Doc, "\n", " "))
	w.WriteString("# The check makes its own layers and mounts them through fsconfig(2): this script runs it again\n" +
		"# through layercheck (set LAYERCHECK to the binary if it moved). What it found:\n")
	for _, f := range res.Unexpected() {
		fmt.Fprintf(&w, "#   %s\n", strings.ReplaceAll(f.String(), "\n", " "))
	}
	focus := "^" + regexp.QuoteMeta(res.Name) + "$"
	fmt.Fprintf(&w, `lc=${LAYERCHECK:-%s}
"$lc" --suite %s --focus %s -v
case $? in
0) echo "not reproduced"; exit 0 ;;
1) echo "reproduced: the kernel does otherwise than the citation says"; exit 1 ;;
*) echo "could not run the check"; exit 2 ;;
esac
`, fsop.Quote(self), fsop.Quote(res.Suite), fsop.Quote(focus))
	return w.String()
}
