package repro

import (
	"fmt"
	"strings"

	"github.com/layercheck/layercheck/harness/backend"
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/idmap"
)

// idmapPerl is a shell function that attaches SRC at DST through the user
// namespace NS the way the run did: perl's syscall() calls open_tree
// (OPEN_TREE_CLONE), mount_setattr (MOUNT_ATTR_IDMAP) and move_mount, by
// their x86_64 numbers 428, 442 and 429.
const idmapPerl = `# idmap_mount SRC DST NS: SRC mounted at DST as an idmapped clone (NS: a user namespace file).
idmap_mount() { perl -e '
	my ($src, $dst, $ns) = @ARGV;
	my ($e1, $e2) = ("", "");
	open(my $nsf, "<", $ns) or die "open $ns: $!\n";
	my $fd = syscall(428, -100, $src, 0x1 | 0x80000);
	die "open_tree $src: $!\n" if $fd < 0;
	my $attr = pack("QQQQ", 0x00100000, 0, 0, fileno($nsf));
	syscall(442, $fd, $e1, 0x1000, $attr, length($attr)) == 0 or die "mount_setattr(MOUNT_ATTR_IDMAP): $!\n";
	syscall(429, $fd, $e2, -100, $dst, 4) == 0 or die "move_mount $dst: $!\n";
' "$@"; }
`

// idmapSetup writes what makes the script's directory the run's mapped
// view (harness/idmapped.go): a user namespace carrying the mapping, the
// scratch seen through it at $S/v where the script then works, and the
// directories that lie on the raw side, made in $S/raw with a symlink
// from the view: the upper, its work dir and the reference where the selection
// leaves the upper plain, the layers (dirs) and the work dirs of their
// builds where it maps the upper alone. It returns the names it made.
func (w *scriptWriter) idmapSetup(cfg harness.Config, dirs []string) map[string]bool {
	if cfg.Idmap == nil {
		return nil
	}
	m := cfg.Idmap.Mapping()
	w.printf("# --idmap %s: the layers through an idmapped mount (container id c stored as host id)\n", idmap.Spec{Layers: cfg.IdmapLayers, Mapping: m})
	if cfg.IdmapByBackend() {
		w.printf("# %s maps owners itself (its own options): it is given the raw layers, ../lN from the mapped view\n", cfg.Backend.Name())
	}
	w.WriteString(idmapPerl)
	w.WriteString(`unshare --user sleep 100000 & NSPID=$!
cleanup() { cd /; umount "$S/m" 2>/dev/null; umount "$S/v/m" 2>/dev/null; umount -l "$S/v" 2>/dev/null; kill "$NSPID" 2>/dev/null; wait "$NSPID" 2>/dev/null; rm -rf "$S"; }
while [ "$(readlink /proc/$NSPID/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do sleep 0.01; done
`)
	w.printf("printf '%s' > /proc/$NSPID/uid_map || exit 2\n", nsLines(m.UID))
	w.printf("printf '%s' > /proc/$NSPID/gid_map || exit 2\n", nsLines(m.GID))
	uid, _ := m.HostUID(0)
	gid, _ := m.HostGID(0)
	w.printf("mkdir v && chown %d:%d . || exit 2\n", uid, gid)
	w.WriteString(`idmap_mount "$S" "$S/v" /proc/$NSPID/ns/user || exit 2
cd "$S/v" || exit 2
`)
	var raw []string
	switch {
	case !cfg.IdmapLayers.MapsUpper():
		raw = []string{"u", "wu", "ref"}
	case !cfg.IdmapLayers.MapsLowers():
		for k, d := range dirs {
			raw = append(raw, d)
			if k > 0 {
				raw = append(raw, fmt.Sprintf("w%d", k))
			}
		}
	}
	// $S/raw/NAME: the view shows $S itself, so NAME made in $S would be
	// the view's NAME too; the symlink's absolute target goes through $S.
	made := map[string]bool{}
	for _, d := range raw {
		w.printf("mkdir -p \"$S/raw/%s\" && ln -s \"$S/raw/%s\" %s || exit 2\n", d, d, d)
		made[d] = true
	}
	w.WriteString("\n")
	return made
}

// rawSideMounter mounts a backend that maps owners itself (fuse-overlayfs's
// uidmapping=, harness.Config.IdmapByBackend) over the layers' raw
// directories, as the run did: the script works in the mapped view $S/v,
// the root of an idmapped mount of $S, so "../l0" is $S/l0 itself.
type rawSideMounter struct{ backend.ShellMounter }

func (m rawSideMounter) MountShell(spec backend.MountSpec) string {
	raw := func(p string) string { return "../" + p }
	lowers := make([]string, len(spec.Lowers))
	for i, l := range spec.Lowers {
		lowers[i] = raw(l)
	}
	spec.Lowers, spec.Upper, spec.Work = lowers, raw(spec.Upper), raw(spec.Work)
	return m.ShellMounter.MountShell(spec)
}

// nsLines is a uid_map's text for ranges: inside the host ids, outside
// the container ids (harness/idmap's direction).
func nsLines(rs []idmap.Range) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%d %d %d\\n", r.Host, r.Container, r.Size)
	}
	return b.String()
}

// failedOpCheck writes the check of a failed runtime op that left an
// entry in the upper (u): the entry must still be absent there.
func (w *scriptWriter) failedOpCheck(f snapshot.Finding) {
	if f.Stage != "runtime" || f.Reference != "absent" || !strings.HasSuffix(f.Field, "entry") {
		w.printf("# not checked from sh: %s\n", f)
		return
	}
	w.printf("check %s absent \"$(v_entry %s)\"\n", fsop.Quote(f.Path+": in the upper after a failed op"), fsop.Quote("u/"+f.Path))
}
