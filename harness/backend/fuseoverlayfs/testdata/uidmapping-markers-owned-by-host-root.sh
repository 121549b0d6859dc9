#!/bin/sh
# Known issue fuse-overlayfs/uidmapping-whiteout-markers-owned-by-unmapped-host-root:
# with -o uidmapping=/gidmapping= (container 0 is host 100000 here) a
# directory removed and made again through the mount is stored mapped
# (100000:100000), but the opaque markers fuse-overlayfs writes in it
# (.wh..wh..opq, the .wh..opq device) are owned by host 0:0, mode 0700:
# outside the mapping, so whoever reads the layer as the container (an
# idmapped mount of it, a committer) is refused and loses them.
# Run as root: sh THIS_FILE. Exit 1: reproduced; 0: not; 2: no set-up.
set -u
S=$(mktemp -d "${TMPDIR:-/tmp}/layercheck-fusemark.XXXXXX") || exit 2
cleanup() { cd /; fusermount3 -u "$S/m" 2>/dev/null || umount "$S/m" 2>/dev/null; rm -rf "$S"; }
trap cleanup EXIT
cd "$S" && mkdir l u w m l/d || exit 2
echo x > l/d/f && chown -R 100000:100000 l u w || exit 2
fuse-overlayfs -o lowerdir=l,upperdir=u,workdir=w,uidmapping=100000:0:65536,gidmapping=100000:0:65536 m || exit 2
rm -rf m/d && mkdir m/d || exit 2
fusermount3 -u m || umount m
dir=$(stat -c %u:%g u/d)
marker=$(stat -c %u:%g u/d/.wh..wh..opq 2>/dev/null) || { echo "no .wh..wh..opq marker in u/d"; exit 0; }
echo "upper: d owned by $dir, d/.wh..wh..opq by $marker"
if [ "$dir" = 100000:100000 ] && [ "$marker" = 0:0 ]; then echo "reproduced: the marker's owner is not mapped"; exit 1; fi
echo "not reproduced"; exit 0
