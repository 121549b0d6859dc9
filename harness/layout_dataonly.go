package harness

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/layout"
)

// dataOnlyOptions refuses the data-only layouts (composefs, dataonly)
// without metacopy=on: composefs mounts with metacopy=on,redirect_dir=on,
// and without it overlayfs rejects a metacopy with a redirect to a
// data-only layer in a lower that has other lowers below it (EPERM and
// "refusing to follow metacopy origin", measured on 6.18), as
// overlayfs.rst, "Data-only lower layers", allows: "Instead of explicitly
// enabling "metacopy=on" it is sufficient to specify at least one
// data-only layer to enable redirection of data to a data-only layer. In
// this case other forms of metacopy are rejected."
func dataOnlyOptions(o Plan) error {
	if o.Layout != layout.Composefs && o.Layout != layout.DataOnly {
		return nil
	}
	opts := o.Backend.Options()
	if strings.Contains(opts, "metacopy") && !strings.Contains(opts, "metacopy=off") {
		return nil
	}
	return &UsageError{Setting: "layout", Msg: fmt.Sprintf("layout %s stacks metadata layers over data-only layers as composefs does: "+
		"run it with --options metacopy=on,redirect_dir=on (overlayfs.rst, \"Data-only lower layers\": without metacopy=on \"other forms of metacopy are rejected\")", o.Layout)}
}
