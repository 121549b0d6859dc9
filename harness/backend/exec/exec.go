package exec

import (
	"context"
	"fmt"
	"github.com/layercheck/layercheck/harness/internal/daemon"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
)

// Exec is any union filesystem mounted by a shell command: --backend
// 'exec:TEMPLATE' with --unmount 'TEMPLATE'. Placeholders, replaced by
// shell-quoted values:
//
//	{lowers}               the read-only layers, top first, joined by ':'
//	{lowers_bottom_first}  the same, bottom first
//	{lowers:SEP}           top first, joined by SEP (e.g. {lowers:=RO:}=RO)
//	{lowers_bottom_first:SEP}
//	{upper}                the writable layer
//	{work}                 an empty directory on the upper's filesystem
//	{target}               the mount point
//
// The mount command may stay in the foreground as the filesystem's daemon
// (fuse-overlayfs -f), or mount and return (a kernel filesystem, or a FUSE
// program that forks into the background, whose daemon is then adopted by
// PID). Either way the harness waits until {target} is a mount point. The
// unmount command defaults to umount(2) of the target; a daemon still
// running UnmountWait after it is killed and reaped.
//
// Expectations: an exec backend whose command is a program layercheck
// knows (fuse-overlayfs, unionfs-fuse) inherits that program's documented
// deviations (DocumentedBy: the registry maps the program to its adapter),
// since the documentation belongs to the program, not to the adapter; any
// other program has none, so every difference fails.
type Exec struct {
	mount, unmount string
	known          backend.Backend // the program's own adapter, for its expectations
}

// NewExec makes an exec backend from the mount and unmount templates.
func NewExec(mountTmpl, unmountTmpl string) (*Exec, error) {
	if strings.TrimSpace(mountTmpl) == "" {
		return nil, &backend.UsageError{Setting: "backend", Msg: "exec:TEMPLATE: the template is empty"}
	}
	for _, t := range []string{mountTmpl, unmountTmpl} {
		for _, m := range placeholderRE.FindAllStringSubmatch(t, -1) {
			if !knownPlaceholders[m[1]] {
				return nil, &backend.UsageError{Setting: "backend", Msg: fmt.Sprintf("exec template: unknown placeholder {%s} (known: lowers, lowers_bottom_first, upper, work, target)", m[1])}
			}
		}
	}
	if !strings.Contains(mountTmpl, "{target}") {
		return nil, &backend.UsageError{Setting: "backend", Msg: "exec template: the mount template must use {target}"}
	}
	return &Exec{mount: mountTmpl, unmount: unmountTmpl}, nil
}

// Program is the name of the program the mount template runs (its first
// word, without a directory), for a caller that knows which programs have
// documentation of their own (registry.NewBackend).
func (e *Exec) Program() string {
	if f := strings.Fields(e.mount); len(f) > 0 {
		return filepath.Base(f[0])
	}
	return ""
}

// DocumentedBy makes e carry the documented deviations and known issues
// of known, the native adapter of the program its template runs: the
// documentation belongs to the program, not to the adapter. The caller
// decides which program that is; exec itself picks nothing by name.
func (e *Exec) DocumentedBy(known backend.Backend) *Exec {
	e.known = known
	return e
}

var (
	placeholderRE     = regexp.MustCompile(`\{([a-z_]+)(?::([^}]*))?\}`)
	knownPlaceholders = map[string]bool{"lowers": true, "lowers_bottom_first": true, "upper": true, "work": true, "target": true}
)

func (e *Exec) Name() string    { return "exec:" + e.mount }
func (e *Exec) Options() string { return "" }

// ExpandTemplate fills a template with spec's paths, each shell-quoted.
func ExpandTemplate(tmpl string, spec backend.MountSpec) string {
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		sub := placeholderRE.FindStringSubmatch(m)
		name, sep := sub[1], sub[2]
		if !strings.Contains(m, ":") {
			sep = ":"
		}
		switch name {
		case "lowers":
			return fsop.Quote(strings.Join(spec.Lowers, sep))
		case "lowers_bottom_first":
			return fsop.Quote(strings.Join(bottomFirst(spec.Lowers), sep))
		case "upper":
			return fsop.Quote(spec.Upper)
		case "work":
			return fsop.Quote(spec.Work)
		case "target":
			return fsop.Quote(spec.Target)
		}
		return m
	})
}

// Mount implements Backend.
func (e *Exec) Mount(ctx context.Context, spec backend.MountSpec) (backend.Mount, error) {
	var unmount []string
	if e.unmount != "" {
		unmount = []string{"/bin/sh", "-c", ExpandTemplate(e.unmount, spec)}
	}
	return daemon.StartMount(ctx, e.Name(), []string{"/bin/sh", "-c", ExpandTemplate(e.mount, spec)}, unmount, spec.Target)
}

// Expectations implements Backend.
func (e *Exec) Expectations() []backend.Expectation {
	if e.known == nil {
		return nil
	}
	return e.known.Expectations()
}

// KnownIssues implements KnownIssuer: those of the program's own adapter.
func (e *Exec) KnownIssues() []backend.KnownIssue {
	if k, ok := e.known.(backend.KnownIssuer); ok {
		return k.KnownIssues()
	}
	return nil
}

// bottomFirst is lowers (top first, as in MountSpec) in the other order.
func bottomFirst(lowers []string) []string {
	out := slices.Clone(lowers)
	slices.Reverse(out)
	return out
}
