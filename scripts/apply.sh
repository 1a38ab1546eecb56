#!/usr/bin/env bash
# apply.sh KSRC: apply patches/series to a kernel tree of your own, with
# zero fuzz, as quilt would. Checks every patch before changing anything.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=${1:?usage: make apply KSRC=/path/to/linux-source-6.1}
[ -f "$ksrc/Makefile" ] && [ -d "$ksrc/drivers/iommu" ] || die "$ksrc is not a kernel tree"

# A dry run of the whole series first needs the earlier patches applied,
# so check on a scratch copy of the files the series touches.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
patches=()
for p in $(series_patches); do
	patches+=("$PATCHES/$p")
done
for f in $(cat "${patches[@]}" | sed -n 's|^+++ b/||p; s|^--- a/||p' | sort -u); do
	[ -f "$ksrc/$f" ] && install -D -m 644 "$ksrc/$f" "$tmp/$f"
done
for p in "${patches[@]}"; do
	patch -d "$tmp" -p1 -F0 -N -s --dry-run < "$p" >/dev/null &&
		patch -d "$tmp" -p1 -F0 -N -s < "$p" >/dev/null ||
		die "$(basename "$p") does not apply to $ksrc without fuzz; nothing was changed"
done
for p in "${patches[@]}"; do
	patch -d "$ksrc" -p1 -F0 -N -s < "$p"
	echo "applied $(basename "$p")"
done
