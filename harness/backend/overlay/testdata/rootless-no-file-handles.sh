#!/bin/sh
# Two known issues of a rootless overlay mount (a user namespace,
# userxattr), which cannot encode file handles (fs/overlayfs/util.c
# ovl_can_decode_fh wants CAP_DAC_READ_SEARCH in the initial namespace), so
# a copy-up records an empty overlay.origin:
#  overlay/copied-up-st_ino-not-kept-across-remount-without-file-handles:
#   after a remount a copied-up file stats with the upper file's own
#   st_ino, not the lower one's it had while mounted;
#  overlay/upper-hardlink-names-keep-own-inodes-without-file-handles:
#   a hardlink made through the merged view to a lower file is one inode
#   in the upper, but its two names show different st_ino while mounted.
# overlayfs.rst, "Inode properties", reads Y for "Persistent st_ino" with
# all layers on one filesystem. As root without a user namespace (unshare
# -m, no userxattr) neither shows.
# Run as any user with unprivileged user namespaces: sh THIS_FILE.
# Exit 1: reproduced (either); 0: not; 2: no set-up.
set -u
S=$(mktemp -d "${TMPDIR:-/tmp}/layercheck-nofh.XXXXXX") || exit 2
trap 'rm -rf "$S"' EXIT
unshare -Urm sh -c '
cd "$1" && mount -t tmpfs tmpfs "$1" && cd "$1" || exit 2
mkdir l u w m && echo x > l/f && echo y > l/g || exit 2
o="lowerdir=l,upperdir=u,workdir=w,userxattr"
mount -t overlay overlay -o "$o" m || exit 2
chmod 600 m/f || exit 2 # the copy-up
a=$(stat -c %i m/f)
ln m/g m/h || exit 2 # copy-up of g, then the link in the upper
g=$(stat -c %i m/g) h=$(stat -c %i m/h)
umount m && mount -t overlay overlay -o "$o" m || exit 2
b=$(stat -c %i m/f); umount m
rc=0
echo "f: st_ino $a while mounted, $b after the remount (lower file $(stat -c %i l/f), upper file $(stat -c %i u/f))"
[ "$a" != "$b" ] && { echo "reproduced: st_ino not kept across the remount"; rc=1; }
echo "g and h: st_ino $g and $h while mounted; upper: $(stat -c %i u/g) and $(stat -c %i u/h)"
[ "$g" != "$h" ] && [ "$(stat -c %i u/g)" = "$(stat -c %i u/h)" ] && { echo "reproduced: one upper inode, two st_ino"; rc=1; }
[ $rc = 0 ] && echo "not reproduced"
exit $rc
' - "$S"
