package unionfs

import (
	"context"
	"fmt"
	"github.com/layercheck/layercheck/harness/internal/daemon"
	"os/exec"
	"path"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/deviation"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// UnionfsFuse is unionfs-fuse (Debian package unionfs-fuse) in
// copy-on-write mode: the upper is the one RW branch, the lowers RO
// branches, top first. It needs no work directory. It is started in the
// foreground (-f) with allow_other (the harness's other identities use the
// mount), hide_meta_files (its metadata directory is not listed) and
// use_ino,suid,dev, and unmounted with fusermount3 -u.
type UnionfsFuse struct {
	opts    []string
	optsRaw string
}

// UnionfsFuseProgram is the command the adapter runs.
const UnionfsFuseProgram = "unionfs-fuse"

// UnionfsMetaDir is the directory in the RW branch where unionfs-fuse
// records deletions: a deleted path P is U/.unionfs-fuse/P_HIDDEN~.
const UnionfsMetaDir = ".unionfs-fuse"

// NewUnionfsFuse parses --options: extra -o options of unionfs-fuse.
func NewUnionfsFuse(opts string) (*UnionfsFuse, error) {
	u := &UnionfsFuse{optsRaw: opts}
	for _, o := range daemon.SplitOptions(opts) {
		if o == "cow" || o == "allow_other" {
			continue // always on
		}
		u.opts = append(u.opts, o)
	}
	return u, nil
}

func (u *UnionfsFuse) Name() string    { return "unionfs-fuse" }
func (u *UnionfsFuse) Options() string { return u.optsRaw }

// Argv is the command line that mounts spec.
func (u *UnionfsFuse) Argv(spec backend.MountSpec) ([]string, error) {
	branches := []string{spec.Upper + "=RW"}
	for _, l := range spec.Lowers {
		branches = append(branches, l+"=RO")
	}
	for _, b := range branches {
		if strings.Count(b, ":") > 0 || strings.Count(b, "=") > 1 {
			return nil, fmt.Errorf("unionfs-fuse: branch %q has ':' or '=', which its branch list cannot carry", b)
		}
	}
	// use_ino, suid, dev as in the man page's own example: real inode
	// numbers keep hardlinks recognisable (all layers share one
	// filesystem here, so they cannot collide).
	o := strings.Join(append([]string{"cow", "allow_other", "hide_meta_files", "use_ino", "suid", "dev"}, u.opts...), ",")
	return []string{UnionfsFuseProgram, "-f", "-o", o, strings.Join(branches, ":"), spec.Target}, nil
}

// Mount implements Backend.
func (u *UnionfsFuse) Mount(ctx context.Context, spec backend.MountSpec) (backend.Mount, error) {
	argv, err := u.Argv(spec)
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return nil, &backend.EnvError{Msg: "unionfs-fuse is not installed (Debian package unionfs-fuse)"}
	}
	return daemon.StartMount(ctx, u.Name(), argv, daemon.FusermountArgv(spec.Target), spec.Target)
}

// Citations from unionfs-fuse's own documentation: its man page
// (unionfs-fuse.8 in the source, /usr/share/man/man8/unionfs.8.gz in
// Debian's package). Its README states no limits.
const (
	citeUnionfsMetaDir = `unionfs-fuse.8, -o hide_meta_dir: "This options make this directory invisible from readdir() ... However, this directory is still there and "cd .unionfs" or "ls -l .unionfs" still work." (the metadata directory, .unionfs-fuse in 1.0, can be looked up by name although it is not listed)`
)

// ExpectUnionfsMetaDir is the ID of unionfs-fuse's metadata directory that
// can be looked up by name.
const ExpectUnionfsMetaDir = deviation.UnionfsMetaDir

// Expectations implements Backend: only what the man page calls intended.
// Every other difference from a plain copy fails: unionfs-fuse documents
// no other limit of its merged view.
func (u *UnionfsFuse) Expectations() []backend.Expectation {
	return []backend.Expectation{{ID: ExpectUnionfsMetaDir, Citation: citeUnionfsMetaDir, Match: matchUnionfsMetaDir}}
}

// matchUnionfsMetaDir: a finding on the metadata directory or beneath it
// (it is found by a lookup by name, or shows in a listing).
func matchUnionfsMetaDir(f snapshot.Finding, _ *backend.Evidence) bool {
	p := strings.TrimPrefix(path.Clean(f.Path), "./")
	if p != UnionfsMetaDir && !strings.HasPrefix(p, UnionfsMetaDir+"/") {
		return false
	}
	switch f.Kind {
	case snapshot.KindExtra, snapshot.KindInvariant, snapshot.KindPersistence:
		return true
	}
	return false
}

// WithIdmap implements backend.IdMapper: unionfs-fuse has no mapping of
// owners (its man page names none; its --help lists only libfuse's
// -o uid=N and -o gid=N, one owner for every file), so --idmap cannot run
// on it.
func (u *UnionfsFuse) WithIdmap(lowers, upper bool, uid, gid []backend.IDRange) (backend.Backend, error) {
	return nil, &backend.EnvError{Msg: "unionfs-fuse has no uid/gid mapping option (its man page names none; -o uid=N,gid=N " +
		"of libfuse give every file one owner), so it cannot show layers through a mapping"}
}
