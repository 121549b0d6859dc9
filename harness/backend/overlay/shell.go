package overlay

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
)

// MountShell implements ShellMounter with mount(8). Relative layer names
// keep even 500 layers under the 4 KiB that mount(2) takes. Data-only
// layers follow the lowers after "::" (overlayfs.rst, "Data-only lower
// layers": lowerdir=/l1:/l2::/do1::/do2).
func (o *Overlay) MountShell(spec backend.MountSpec) string {
	lower := strings.Join(spec.Lowers, ":")
	for _, d := range spec.Data {
		lower += "::" + d
	}
	opts := append(append([]string{}, o.opts...), "lowerdir="+lower, "upperdir="+spec.Upper, "workdir="+spec.Work)
	line := fmt.Sprintf("mount -t overlay overlay -o %s %s", fsop.Quote(strings.Join(opts, ",")), fsop.Quote(spec.Target))
	if o.volatile() {
		line = fmt.Sprintf("rm -rf -- %[1]s && mkdir %[1]s && %s", fsop.Quote(spec.Work), line)
	}
	return line
}

// UnmountShell implements ShellMounter.
func (o *Overlay) UnmountShell(target string) string { return "umount " + fsop.Quote(target) }
