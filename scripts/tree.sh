#!/usr/bin/env bash
# Make build/linux a git tree: the Debian base as one commit tagged "base",
# then one commit per patch of patches/series. An existing tree is reused;
# it is re-applied only when patches/ changed, and never over local work.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=$(base_field tarball)
want_version=$(base_field version)
want_sha=$(base_field sha256)

[ -f "$tarball" ] || die "$tarball missing: run 'make deps' (apt-get install $(base_field package))"
version=$(dpkg-query -W -f='${Version}' "$(base_field package)" 2>/dev/null || echo unknown)
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
echo "base: $(base_field package) $version"
echo "sha256: $sha"
if [ "$version" != "$want_version" ] || [ "$sha" != "$want_sha" ]; then
	echo "note: the series was tested on $want_version ($want_sha);"
	echo "      the archive now serves $version. Applying to it anyway."
fi

# Fixed identity and dates make the base commit id depend only on the
# tarball's content: the same base gives the same tree and commit ids.
git_fixed() {
	GIT_AUTHOR_NAME=workbench GIT_AUTHOR_EMAIL=workbench@localhost \
	GIT_COMMITTER_NAME=workbench GIT_COMMITTER_EMAIL=workbench@localhost \
	GIT_AUTHOR_DATE="2022-12-11T00:00:00Z" GIT_COMMITTER_DATE="2022-12-11T00:00:00Z" \
	git -C "$KTREE" "$@"
}

if [ "$(git -C "$KTREE" config workbench.tarball 2>/dev/null)" != "$sha" ]; then
	[ -d "$KTREE" ] && [ -n "$(git -C "$KTREE" log --format=%H base.. 2>/dev/null)" ] &&
		[ "$(git -C "$KTREE" config workbench.applied 2>/dev/null)" != "$(git -C "$KTREE" rev-parse HEAD)" ] &&
		die "build/linux has local commits and a different base; export them first"
	echo "unpacking $tarball"
	rm -rf "$KTREE"
	mkdir -p "$KTREE"
	tar -xf "$tarball" -C "$KTREE" --strip-components=1
	git -C "$KTREE" init -q -b main
	# Debian's top-level .gitignore ignores everything ("/*"): add by force.
	git -C "$KTREE" add -f -A .
	git_fixed commit -q -m "base: $(base_field package) $version" -m "sha256: $sha"
	git -C "$KTREE" tag -f base >/dev/null
	git -C "$KTREE" config workbench.tarball "$sha"
	# The series' commits keep their authors; git am needs a committer.
	git -C "$KTREE" config user.name "$(git -C "$TOP" config user.name || echo workbench)"
	git -C "$KTREE" config user.email "$(git -C "$TOP" config user.email || echo workbench@localhost)"
fi

want=$(series_id)
have=$(git -C "$KTREE" config workbench.series 2>/dev/null || true)
head=$(git -C "$KTREE" rev-parse HEAD)
if [ "$want" = "$have" ] && [ "$head" = "$(git -C "$KTREE" config workbench.applied)" ] &&
   git -C "$KTREE" diff --quiet HEAD; then
	echo "series already applied ($(git -C "$KTREE" rev-list --count base..HEAD) patches)"
	exit 0
fi
if [ -n "$have" ] && [ "$head" != "$(git -C "$KTREE" config workbench.applied)" ]; then
	die "build/linux has commits that are not in patches/: run 'make export' first (or remove build/linux)"
fi
git -C "$KTREE" diff --quiet HEAD ||
	die "build/linux has uncommitted edits: commit and 'make export' them first"

git -C "$KTREE" reset -q --hard base
n=0
while read -r p _; do
	case "$p" in ''|'#'*) continue ;; esac
	if ! git -C "$KTREE" am -q --keep-cr "$PATCHES/$p" >"$LOGS/am.log" 2>&1; then
		cat "$LOGS/am.log"
		git -C "$KTREE" am --abort || true
		die "$p does not apply to $(base_field package) $version"
	fi
	n=$((n + 1))
done < "$PATCHES/series"
git -C "$KTREE" config workbench.series "$want"
git -C "$KTREE" config workbench.applied "$(git -C "$KTREE" rev-parse HEAD)"
echo "applied $n patches"
