#!/bin/sh
# Known issue overlay/copied-up-file-d_ino-not-st_ino-across-filesystems:
# layers on two filesystems, xino=off; a lower file copied up by chmod
# stats with the lower file's st_ino (the copy-up origin's) while readdir
# gives the upper file's own inode number as its d_ino. overlayfs.rst,
# "Inode properties", row "Layers not on same fs, xino=off", reads Y for
# "st_ino == d_ino" of non-directories.
# Run as root: sh THIS_FILE. Exit 1: reproduced; 0: not; 2: no set-up.
set -u
S=$(mktemp -d "${TMPDIR:-/tmp}/layercheck-dino.XXXXXX") || exit 2
cleanup() { cd /; umount "$S/m" 2>/dev/null; umount "$S/a" "$S/b" 2>/dev/null; rm -rf "$S"; }
trap cleanup EXIT
cd "$S" && mkdir a b m || exit 2
mount -t tmpfs tmpfs a && mount -t tmpfs tmpfs b || exit 2
mkdir -p a/l/d b/u b/w && echo x > a/l/d/f || exit 2
mount -t overlay overlay -o lowerdir=a/l,upperdir=b/u,workdir=b/w,xino=off m || exit 2
chmod 600 m/d/f || exit 2 # the copy-up: into the other filesystem
st=$(stat -c %i m/d/f)
# d_ino as readdir(3) gives it (ls -i stats the file instead)
di=$(python3 -c 'import os, sys; print([e.inode() for e in os.scandir(sys.argv[1]) if e.name == "f"][0])' m/d) || exit 2
echo "st_ino $st, d_ino $di (lower file $(stat -c %i a/l/d/f), upper file $(stat -c %i b/u/d/f))"
if [ "$st" != "$di" ]; then echo "reproduced: d_ino is not st_ino for a non-directory"; exit 1; fi
echo "not reproduced"; exit 0
