package daemon

import (
	"strings"
)

// FusermountArgv is the unmount command of a FUSE mount.
func FusermountArgv(target string) []string { return []string{"fusermount3", "-u", "--", target} }

// SplitOptions splits a comma-separated option string, dropping blanks.
func SplitOptions(opts string) []string {
	var out []string
	for _, o := range strings.Split(opts, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}
