#!/usr/bin/env bash
# apply.sh KSRC: apply patches/series to a kernel tree of your own, with
# zero fuzz, as quilt would: to a git tree with git am (one commit per
# patch; its tracked files must have no changes), to any other tree with
# patch. Either way a series that does not apply whole changes nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=${1:?usage: make apply KSRC=/path/to/linux-source-6.1}
[ -f "$ksrc/Makefile" ] && [ -d "$ksrc/drivers/iommu" ] || die "$ksrc is not a kernel tree"
ksrc=$(cd "$ksrc" && pwd -P)
patches=()
for p in $(series_patches); do
	patches+=("$PATCHES/$p")
done

if [ "$(git -C "$ksrc" rev-parse --show-toplevel 2>/dev/null)" = "$ksrc" ]; then
	[ -z "$(git -C "$ksrc" status --porcelain --untracked-files=no)" ] ||
		die "$ksrc has uncommitted changes: commit or stash them first"
	[ ! -d "$(git -C "$ksrc" rev-parse --git-path rebase-apply)" ] ||
		die "$ksrc is in the middle of a git am or rebase"
	git -C "$ksrc" var GIT_COMMITTER_IDENT > /dev/null 2>&1 ||
		die "git am in $ksrc needs your name and email (git config user.name, user.email); nothing was changed"
	head=$(git -C "$ksrc" rev-parse HEAD)
	if ! git -C "$ksrc" am -q --no-3way "${patches[@]}"; then
		git -C "$ksrc" am --abort
		die "the series does not apply to $ksrc with git am; nothing was changed"
	fi
	echo "applied ${#patches[@]} patches to $ksrc with git am (on $(git -C "$ksrc" rev-parse --short "$head"))"
	exit 0
fi

# Patch a scratch copy of the files the series touches, the whole series,
# and only then copy the result into the tree: a patch that fails leaves
# the tree as it was, and patch's backups never reach it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=$(cat "${patches[@]}" | sed -n 's|^+++ b/||p; s|^--- a/||p' | sort -u)
for f in $files; do
	[ ! -L "$ksrc/$f" ] || die "$ksrc/$f is a symbolic link: not patching through it; nothing was changed"
	if [ -f "$ksrc/$f" ]; then
		[ -w "$ksrc/$f" ] || die "$ksrc/$f is not writable; nothing was changed"
		mkdir -p "$tmp/$(dirname "$f")"
		cp -p "$ksrc/$f" "$tmp/$f"
	fi
done
for p in "${patches[@]}"; do
	patch -d "$tmp" -p1 -F0 -N -s --no-backup-if-mismatch < "$p" >/dev/null ||
		die "$(basename "$p") does not apply to $ksrc without fuzz; nothing was changed"
done
for f in $files; do
	if [ -f "$tmp/$f" ]; then
		mkdir -p "$ksrc/$(dirname "$f")"
		cp -p "$tmp/$f" "$ksrc/$f"
	else
		rm -f "$ksrc/$f"
	fi
done
echo "applied ${#patches[@]} patches to $ksrc with patch"
