#!/usr/bin/env bash
# Regenerate patches/ from build/linux (base..HEAD): one file per commit,
# the series file and the cover letter. The output is stable: no commit
# ids, no git version, and the cover letter's text is kept.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$KTREE/.git" ] || die "no build/linux: run 'make tree' first"
git -C "$KTREE" diff --quiet HEAD || die "build/linux has uncommitted edits: commit them first"

cover=$PATCHES/0000-cover-letter.patch
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git -C "$KTREE" format-patch -q --zero-commit --no-signature \
	--cover-letter -o "$tmp" base..HEAD

# Keep the subject and text of the existing cover letter; git fills in
# the shortlog, diffstat and base-commit.
if [ -f "$cover" ]; then
	python3 - "$cover" "$tmp/0000-cover-letter.patch" <<'PY'
import re, sys
old, new = (open(f).read() for f in sys.argv[1:])
def parts(text):
    head, body = text.split('\n\n', 1)
    # The generated part starts at the shortlog's "Author (N):" line.
    m = re.search(r'^\S.* \(\d+\):$', body, re.M)
    return head, body[:m.start()], body[m.start():]
ohead, oblurb, _ = parts(old)
nhead, _, ngen = parts(new)
# Keep the old subject's text behind the new "[PATCH 0/N]" prefix.
subj = r'^Subject: (\[[^]]*\] )?(.*(?:\n .*)*)'
text = re.search(subj, ohead, re.M).group(2)
nhead = re.sub(subj, lambda m: 'Subject: ' + (m.group(1) or '') + text,
               nhead, flags=re.M)
open(sys.argv[2], 'w').write(nhead + '\n\n' + oblurb + ngen)
PY
fi

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
echo "exported $(grep -vc '^#' "$PATCHES/series") patches to patches/"
