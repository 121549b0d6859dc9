package fuseoverlayfs

import (
	"context"
	"fmt"
	"github.com/layercheck/layercheck/harness/internal/daemon"
	"os/exec"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/ovlformat"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// FuseOverlayfs is fuse-overlayfs (Debian package fuse-overlayfs), an
// implementation of overlayfs's on-disk format in FUSE. It is started in
// the foreground (-f) so that the harness owns its PID, and unmounted with
// fusermount3 -u; it adds allow_other and default_permissions itself, so
// the harness's other identities reach the mount.
type FuseOverlayfs struct {
	opts    []string
	optsRaw string
}

// FuseOverlayfsProgram is the command the adapter runs.
const FuseOverlayfsProgram = "fuse-overlayfs"

// NewFuseOverlayfs parses --options: extra -o options of fuse-overlayfs
// (squash_to_root, static_nlink, noacl, ...). The layer options are the
// harness's to set.
func NewFuseOverlayfs(opts string) (*FuseOverlayfs, error) {
	f := &FuseOverlayfs{optsRaw: opts}
	for _, o := range daemon.SplitOptions(opts) {
		key, _, _ := strings.Cut(o, "=")
		switch key {
		case "lowerdir", "upperdir", "workdir":
			return nil, &backend.UsageError{Setting: "options", Msg: fmt.Sprintf("%s is set by layercheck from the stack; leave it out", key)}
		}
		f.opts = append(f.opts, o)
	}
	return f, nil
}

func (f *FuseOverlayfs) Name() string { return "fuse-overlayfs" }

func (f *FuseOverlayfs) Options() string { return f.optsRaw }

// Argv is the command line that mounts spec.
func (f *FuseOverlayfs) Argv(spec backend.MountSpec) ([]string, error) {
	for _, p := range append(append([]string{spec.Upper, spec.Work}, spec.Lowers...), spec.Target) {
		if strings.ContainsAny(p, ":,") {
			return nil, fmt.Errorf("fuse-overlayfs: path %q has ':' or ',', which its option string cannot carry", p)
		}
	}
	o := "lowerdir=" + strings.Join(spec.Lowers, ":") + ",upperdir=" + spec.Upper + ",workdir=" + spec.Work
	if len(f.opts) > 0 {
		o += "," + strings.Join(f.opts, ",")
	}
	return []string{FuseOverlayfsProgram, "-f", "-o", o, spec.Target}, nil
}

// Mount implements Backend.
func (f *FuseOverlayfs) Mount(ctx context.Context, spec backend.MountSpec) (backend.Mount, error) {
	argv, err := f.Argv(spec)
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return nil, &backend.EnvError{Msg: "fuse-overlayfs is not installed (Debian package fuse-overlayfs)"}
	}
	return daemon.StartMount(ctx, f.Name(), argv, daemon.FusermountArgv(spec.Target), spec.Target)
}

// Citations from fuse-overlayfs's own documentation (README.md and
// fuse-overlayfs.1.md, version 1.10). Neither states a limit of the merged
// view; the man page documents only what its options change.
const (
	citeFuseOverlayfsRenameDir = `fuse-overlayfs implements overlayfs without redirect_dir (its README and man page document no redirect option); the behaviour is the kernel's documented one: overlayfs.rst, "Non-standard behavior" / redirect_dir: "If this feature is disabled, then rename(2) on a lower or merged directory will fail with EXDEV"`
	citeFuseOverlayfsSquash    = `fuse-overlayfs.1.md, -o squash_to_root: "Every file and directory is owned by the root user (0:0)"; -o squash_to_uid=uid / squash_to_gid=gid: "Every file and directory is owned by the specified uid or gid."`
)

// Expectations implements Backend: only what the documentation calls
// intended. Everything else fuse-overlayfs does differently from a plain
// copy (a hardlink split by copy-up, for one) is a failure: its own
// documentation does not describe it.
func (f *FuseOverlayfs) Expectations() []backend.Expectation {
	out := []backend.Expectation{{ID: deviation.RenameDirEXDEV, Citation: citeFuseOverlayfsRenameDir, Match: ovlformat.MatchRenameDirEXDEV}}
	for _, o := range f.opts {
		k, _, _ := strings.Cut(o, "=")
		if k == "squash_to_root" || k == "squash_to_uid" || k == "squash_to_gid" {
			out = append(out, backend.Expectation{ID: "fuse-overlayfs/squash-owner", Citation: citeFuseOverlayfsSquash,
				Match: func(f snapshot.Finding, _ *backend.Evidence) bool { return f.Kind == snapshot.KindOwner }})
			break
		}
	}
	return out
}

// WithIdmap implements backend.IdMapper through fuse-overlayfs's own
// mapping, -o uidmapping=UID:MAPPED-UID:LEN[...] and gidmapping= (its
// man page: "the dynamic UID/GID mapping used by fuse-overlayfs when
// reading/writing files to the system"): on-disk id UID is shown as
// MAPPED-UID (tried on 1.10: uidmapping=100000:0:65536 shows an on-disk
// 100005 as 5 and stores a chown to 5 as 100005), so a C:H:N range of
// --idmap is H:C:N here. It applies to every layer alike, so the lowers or the upper
// alone cannot be mapped with it.
func (f *FuseOverlayfs) WithIdmap(lowers, upper bool, uid, gid []backend.IDRange) (backend.Backend, error) {
	if !lowers || !upper {
		return nil, &backend.EnvError{Msg: "fuse-overlayfs maps owners with -o uidmapping=/gidmapping= (fuse-overlayfs.1.md), which apply to every layer alike, " +
			"not to the lowers or the upper alone: use --idmap all"}
	}
	for _, o := range f.opts {
		if k, _, _ := strings.Cut(o, "="); k == "uidmapping" || k == "gidmapping" {
			return nil, &backend.UsageError{Setting: "options", Msg: k + " is set by layercheck from --idmap; leave it out"}
		}
	}
	mapped := *f
	mapped.opts = append(append([]string{}, f.opts...), "uidmapping="+fuseMapping(uid), "gidmapping="+fuseMapping(gid))
	return &mapped, nil
}

// fuseMapping is rs in fuse-overlayfs's syntax, ranges joined by ':' (a
// ',' would end the -o option).
func fuseMapping(rs []backend.IDRange) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%d:%d:%d", r.Host, r.Container, r.Size))
	}
	return strings.Join(parts, ":")
}
