#!/bin/sh
# Known issue fuse-overlayfs/uidmapping-acl-and-capability-ids-stored-untranslated:
# with -o uidmapping=/gidmapping= fuse-overlayfs stores a file's owner as
# the host id (container 0 -> host 100000 here) but the ids inside a POSIX
# ACL and the root id of a security.capability v3 as the container gave
# them: on disk the ACL names uid 1002, not 101002, and the capability's
# root id is 1000, not 101000. Read through the mapping (an idmapped mount
# of the upper, as the kernel's overlay layers and a committer see it) the
# ids are outside it. Nothing in fuse-overlayfs.1 says the mapping leaves
# xattrs alone.
# Run as root: sh THIS_FILE. Exit 1: reproduced; 0: not; 2: no set-up.
set -u
S=$(mktemp -d "${TMPDIR:-/tmp}/layercheck-fuseacl.XXXXXX") || exit 2
cleanup() { cd /; fusermount3 -u "$S/m" 2>/dev/null || umount "$S/m" 2>/dev/null; rm -rf "$S"; }
trap cleanup EXIT
cd "$S" && mkdir l u w m || exit 2
echo x > l/f && echo y > l/p && chown 100000:100000 l l/f l/p u w || exit 2
fuse-overlayfs -o lowerdir=l,upperdir=u,workdir=w,uidmapping=100000:0:65536,gidmapping=100000:0:65536 m || exit 2
setfacl -m u:1002:r m/f || exit 2
setcap -n 1000 cap_net_raw+ep m/p || exit 2
owner=$(stat -c %u u/f)
acl=$(getfacl -n u/f 2>/dev/null | grep '^user:[0-9]')
cap=$(getcap -n u/p)
echo "upper: owner $owner; ACL entry $acl; capability $cap"
case "$owner:$acl:$cap" in
100000:user:1002:*|100000:*rootid=1000*) echo "reproduced: the owner is mapped, the ACL or capability ids are not"; exit 1 ;;
esac
echo "not reproduced"; exit 0
