package overlay

import "strings"

// OverlayProfile is a named set of kernel overlay options: the sets that
// change which of overlayfs.rst's documented deviations apply.
type OverlayProfile struct {
	Name    string
	Options string
	Doc     string
}

// OverlayProfiles are the common option sets, by name. --options NAME (or
// overlay:NAME in a matrix) selects one.
var OverlayProfiles = []OverlayProfile{
	{"default", "", "the module's defaults (redirect_dir, index, metacopy, xino as /sys/module/overlay/parameters says)"},
	{"redirect", "redirect_dir=on,index=on", "directory renames by redirect; hardlinks kept across copy-up"},
	{"metacopy", "metacopy=on", "metadata-only copy-up (implies redirect_dir=on)"},
	{"xino", "xino=on", "uniform st_ino across layers"},
	{"volatile", "volatile", "no sync of the upper; the work dir is wiped before every mount"},
	{"userxattr", "userxattr", "user.overlay.* xattrs instead of trusted.overlay.*, as unprivileged mounts use"},
}

// overlayProfile returns the options of the profile named opts, if it is one.
func overlayProfile(opts string) (string, bool) {
	for _, p := range OverlayProfiles {
		if strings.TrimSpace(opts) == p.Name {
			return p.Options, true
		}
	}
	return "", false
}
