#!/bin/sh
# Known issue overlay/copied-up-st_ino-not-kept-across-remount-without-file-handles:
# a rootless overlay mount (a user namespace, userxattr) cannot encode file
# handles (fs/overlayfs/util.c ovl_can_decode_fh wants CAP_DAC_READ_SEARCH
# in the initial namespace), so a copy-up records an empty overlay.origin
# and after a remount the copied-up file stats with the upper file's own
# st_ino, not the lower one's it had while mounted. overlayfs.rst, "Inode
# properties", reads Y for "Persistent st_ino" with all layers on one
# filesystem.
# Run as any user with unprivileged user namespaces: sh THIS_FILE.
# Exit 1: reproduced; 0: not; 2: no set-up.
set -u
S=$(mktemp -d "${TMPDIR:-/tmp}/layercheck-nofh.XXXXXX") || exit 2
trap 'rm -rf "$S"' EXIT
unshare -Urm sh -c '
cd "$1" && mount -t tmpfs tmpfs "$1" && cd "$1" || exit 2
mkdir l u w m && echo x > l/f || exit 2
o="lowerdir=l,upperdir=u,workdir=w,userxattr"
mount -t overlay overlay -o "$o" m || exit 2
chmod 600 m/f || exit 2 # the copy-up
a=$(stat -c %i m/f); umount m || exit 2
mount -t overlay overlay -o "$o" m || exit 2
b=$(stat -c %i m/f); umount m
echo "st_ino $a while mounted, $b after the remount (lower file $(stat -c %i l/f), upper file $(stat -c %i u/f))"
if [ "$a" != "$b" ]; then echo "reproduced: st_ino not kept across the remount"; exit 1; fi
echo "not reproduced"; exit 0
' - "$S"
