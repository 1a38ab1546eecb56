#!/usr/bin/env bash
# Regenerate patches/ from build/linux (base..HEAD): one file per commit,
# the series file and the cover letter. The output is stable: no commit
# ids, no git version, and the cover letter's text is kept.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$KTREE/.git" ] || die "no build/linux: run 'make tree' first"
[ -z "$(tree_edits)" ] || die "build/linux has uncommitted edits: commit them first"

cover=$PATCHES/0000-cover-letter.patch
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A fixed abbreviation: the default grows with the number of objects.
git -C "$KTREE" -c core.abbrev=9 format-patch -q --zero-commit --no-signature --base=base \
	--cover-letter -o "$tmp" base..HEAD

# Keep the subject and text of the existing cover letter; git fills in
# the shortlog, diffstat and base-commit.
[ ! -f "$cover" ] || python3 "$TOP/scripts/cover-letter.py" "$cover" "$tmp/0000-cover-letter.patch"

# The Date: of the cover letter is the time of export: pin it to the
# last patch's date so that re-exporting changes nothing.
last=$(ls "$tmp"/*.patch | tail -n 1)
date=$(sed -n 's/^Date: //p' "$last" | head -n 1)
sed -i "s/^Date: .*/Date: $date/" "$tmp/0000-cover-letter.patch"

rm -f "$PATCHES"/*.patch
cp "$tmp"/*.patch "$PATCHES"/
{
	sed -n '/^#/p' "$PATCHES/series" 2>/dev/null | head -n 20
	for f in "$tmp"/*.patch; do
		b=$(basename "$f")
		[ "$b" = 0000-cover-letter.patch ] || echo "$b"
	done
} > "$tmp/series"
mv "$tmp/series" "$PATCHES/series"

git -C "$KTREE" config workbench.series "$(series_id)"
git -C "$KTREE" config workbench.applied "$(git -C "$KTREE" rev-parse HEAD)"
echo "exported $(series_patches | wc -l) patches to patches/"
