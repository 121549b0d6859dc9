#!/bin/sh
# Known issue overlay/upper-hardlink-names-keep-own-inodes-without-file-handles:
# on a rootless overlay mount (a user namespace, userxattr; no file
# handles) a hardlink made through the merged view to a lower file is one
# inode in the upper, but the two names show different st_ino while
# mounted and a chmod through the new name leaves the old name's cached
# permission: another user may still read it. After a remount both names
# are one again. overlayfs.rst promises persistent st_ino with all layers
# on one filesystem, and permission checks that do not change with copy-up.
# Run as any user with unprivileged user namespaces: sh THIS_FILE.
# Exit 1: reproduced; 0: not; 2: no set-up.
set -u
S=$(mktemp -d "${TMPDIR:-/tmp}/layercheck-nofh.XXXXXX") || exit 2
trap 'rm -rf "$S"' EXIT
unshare -Urm sh -c '
cd "$1" && mount -t tmpfs tmpfs "$1" && cd "$1" || exit 2
mkdir l u w m && echo x > l/f || exit 2
mount -t overlay overlay -o lowerdir=l,upperdir=u,workdir=w,userxattr m || exit 2
ln m/f m/g || exit 2 # copy-up of f, then the link in the upper
echo "names f and g: st_ino $(stat -c %i m/f) and $(stat -c %i m/g); upper: $(stat -c %i u/f) and $(stat -c %i u/g)"
[ "$(stat -c %i u/f)" = "$(stat -c %i u/g)" ] || exit 2
if [ "$(stat -c %i m/f)" != "$(stat -c %i m/g)" ]; then echo "reproduced: one upper inode, two st_ino"; exit 1; fi
echo "not reproduced"; exit 0
' - "$S"
