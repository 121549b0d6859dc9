#!/usr/bin/env bash
# The test command: the harness's own tests, the command line's tests, and
# every suite as Ginkgo specs against kernel overlayfs (run as root).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"
go test -count=1 -timeout 45m ./... "$@"
# Nothing may stay mounted, in this namespace or anywhere.
if awk '$3=="overlay" || $3 ~ /^fuse/ {print $2}' /proc/mounts | grep -q .; then
	echo "test.sh: mounts left behind:"; awk '$3=="overlay" || $3 ~ /^fuse/ {print $2}' /proc/mounts; exit 1
fi
