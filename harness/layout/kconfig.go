package layout

import (
	"bufio"
	"compress/gzip"
	"os"
)

// Kconfig says how the running kernel was built with sym, as
// /proc/config.gz records it: "y", "m", "n" (the "is not set" line), or ""
// when the kernel publishes no configuration or does not list sym (a
// symbol whose menu is off is not listed at all). It is evidence for a
// skip's reason beside a probe, never a probe itself.
func Kconfig(sym string) string {
	f, err := os.Open("/proc/config.gz")
	if err != nil {
		return ""
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(z)
	for sc.Scan() {
		switch sc.Text() {
		case sym + "=y":
			return "y"
		case sym + "=m":
			return "m"
		case "# " + sym + " is not set":
			return "n"
		}
	}
	return ""
}
